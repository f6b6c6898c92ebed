FROM shellentry:1

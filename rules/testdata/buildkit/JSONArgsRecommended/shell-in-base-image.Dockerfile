FROM example.com/tools/shell-image:1
CMD ./server

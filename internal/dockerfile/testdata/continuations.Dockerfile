FROM debian:bookworm-slim AS base
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        curl \
        ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN echo one \
# a comment inside the continuation
    && echo two \

    && echo three
RUN	echo	tab-separated	&&	true
  RUN    echo indented-instruction
RUN echo trailing-blanks-after-escape \   
    done
RUN echo doubled-escape-ends-here \\
RUN echo last
ENV A=1 \
    B="two words" \
    C=3
LABEL a=b \
      c="d e"

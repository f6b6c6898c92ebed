FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN echo between
RUN apt-get clean && rm -rf /var/lib/apt/lists/*

FROM debian:12
RUN apt-get update
RUN --network=none apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/*

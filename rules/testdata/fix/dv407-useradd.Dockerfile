FROM debian:12
RUN useradd -u 100000 app
USER app

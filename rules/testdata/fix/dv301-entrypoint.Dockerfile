FROM debian:12
ENTRYPOINT /usr/bin/app --serve

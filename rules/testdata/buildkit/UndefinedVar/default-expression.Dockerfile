FROM alpine:3.20
ENV MODE=${MODE:-production}
WORKDIR /srv/${SITE:-default}

FROM alpine:3.20
WORKDIR src/

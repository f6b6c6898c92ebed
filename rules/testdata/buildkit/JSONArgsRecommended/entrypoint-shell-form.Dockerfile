FROM alpine:3.20
ENTRYPOINT ./server --port 8080

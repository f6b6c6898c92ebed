FROM alpine:3.20
SHELL ["/bin/ash", "-c"]
ENTRYPOINT ./server

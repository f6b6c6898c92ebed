FROM alpine:3.20
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
CMD ./server

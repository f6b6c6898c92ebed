FROM alpine:3.20 AS a
SHELL ["/bin/ash", "-c"]

FROM alpine:3.20 AS b
CMD ./server

ARG tag=3.20
FROM alpine:${tag}${variant} AS b

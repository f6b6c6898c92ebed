FROM alpine:3.20
RUN apk add --no-cache \
# the comment line does not end the instruction
    curl

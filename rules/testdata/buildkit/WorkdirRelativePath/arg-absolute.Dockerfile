FROM alpine:3.20
ARG DIR=/opt/app
WORKDIR $DIR

FROM alpine:3.20 AS base
ARG NAME=config

FROM base
COPY $NAME /etc/app/

FROM alpine:3.20
ARG NAME
COPY config${NAME} /etc/app/

FROM alpine:3.20
COPY $NAME /etc/app/
ARG NAME=config
RUN echo $NAME

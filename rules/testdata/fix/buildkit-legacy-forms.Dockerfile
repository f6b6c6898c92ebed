FROM alpine:3.20
MAINTAINER John Doe <j@example.com>
ENV APP_HOME /srv/app
ENV GREETING hello   world
ENV QUOTED "a b"
LABEL version 1.0

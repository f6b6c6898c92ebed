FROM alpine:3.20
ARG SRC_DIR=src/
ARG CONF_DIR=conf/
COPY $SRC_DIRS /app/

FROM alpine:3.20
LABEL password=hunter2

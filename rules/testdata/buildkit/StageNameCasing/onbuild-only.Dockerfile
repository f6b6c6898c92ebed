FROM alpine:3.20 AS good
ONBUILD RUN echo later

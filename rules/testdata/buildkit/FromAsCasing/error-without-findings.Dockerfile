# check=error=true
FROM alpine:3.20 AS builder
RUN echo fine

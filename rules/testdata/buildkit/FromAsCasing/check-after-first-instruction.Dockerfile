FROM alpine:3.20 as builder
# check=skip=all
RUN echo the comment above is not a file directive

FROM alpine:3.20
WORKDIR /src
RUN echo one

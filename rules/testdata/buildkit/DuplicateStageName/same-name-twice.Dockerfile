FROM alpine:3.20 AS stage
RUN echo one
FROM alpine:3.20 AS stage
RUN echo two

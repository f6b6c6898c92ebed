ARG IMAGE=alpine:3.20
FROM $IMAGE
RUN echo ok

FROM alpine:3.20
ENV PATH=$PATH:/opt/bin

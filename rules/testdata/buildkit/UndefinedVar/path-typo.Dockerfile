FROM alpine:3.20
ENV PATH=$PTAH:/opt/bin

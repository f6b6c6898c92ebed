FROM alpine:3.20
ARG TARGETARCH
COPY bin/$TARGETARCH/app /usr/local/bin/
LABEL arch=$TARGETOS

ARG TARGET_OS=linux
ARG TARGET_ARCH=amd64
FROM --platform=linux/${TARGETARCH_X} alpine:3.20

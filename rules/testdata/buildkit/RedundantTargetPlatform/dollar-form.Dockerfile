FROM --platform=$TARGETPLATFORM alpine:3.20

FROM --platform=$BUILDPLATFROM alpine:3.20

# check=skip=RedundantTargetPlatform
FROM --platform=$TARGETPLATFORM alpine:3.20

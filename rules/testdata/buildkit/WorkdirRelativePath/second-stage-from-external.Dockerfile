FROM alpine:3.20 AS a
WORKDIR /srv

FROM alpine:3.20
WORKDIR data

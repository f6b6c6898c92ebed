FROM alpine:3.20 AS unused
COPY $NOT_SET /

FROM alpine:3.20

from alpine:3.20
FROM alpine:3.20

FROM alpine:3.20 AS app
FROM alpine:3.20 AS APP

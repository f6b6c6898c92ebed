FROM alpine:3.20 AS stage1
FROM alpine:3.20 AS stage2

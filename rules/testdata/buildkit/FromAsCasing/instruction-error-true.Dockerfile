FROM alpine:3.20 AS one
# check=error=true
FROM alpine:3.20 as two

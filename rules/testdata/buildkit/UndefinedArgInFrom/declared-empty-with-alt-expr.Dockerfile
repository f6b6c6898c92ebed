ARG EXTRA=""
FROM alpine:3.20${EXTRA-@oops}

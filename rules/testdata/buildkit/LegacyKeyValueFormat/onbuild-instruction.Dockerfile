FROM alpine:3.20
ONBUILD ENV MODE production

FROM alpine:3.20
ONBUILD CMD run me

FROM alpine:3.20
ONBUILD CMD ["one"]
CMD ["two"]

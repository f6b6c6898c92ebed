FROM alpine:3.20 AS unused
CMD ["one"]
CMD ["two"]

FROM alpine:3.20

FROM alpine:3.20 AS build
CMD make test

FROM alpine:3.20
CMD ["./server"]

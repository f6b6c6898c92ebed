FROM golang:1.23 AS builder
RUN --mount=type=cache,target=/root/.cache/go-build,from=cacheimg:1.0 \
    --mount=type=bind,source=go.sum,target=go.sum \
    go build ./...
RUN --mount=type=bind,from=builder,source=/src,target=/src true
RUN --mount="type=cache,from=quoted:2,target=/q" true
RUN --network=none --security=sandbox echo hi
FROM alpine
COPY --from=builder /go/bin/app /app
COPY --from=nginx:latest /etc/nginx /etc/nginx
COPY --from=0 /x /y
COPY --chown=app:app --chmod=755 --link a b
ADD --checksum=sha256:abc https://example.com/f /f

FROM golang:1.23 AS build
RUN go build -o /app .

FROM build AS test
RUN go test ./...

FROM gcr.io/distroless/base AS runtime
COPY --from=build /app /app

FROM runtime AS debug
COPY --from=busybox:1.36 /bin/sh /bin/sh

FROM scratch AS data
COPY data /data

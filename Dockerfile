# syntax=docker/dockerfile:1
# dockvet's own image for those who build with Docker:
#
#   docker build -t dockvet --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg DATE=$(git log -1 --format=%cI HEAD) .
#   docker run --rm -v "$PWD:/work" dockvet lint
#
# It holds what `make image` builds without a Docker daemon (same binary
# flags, the same base files written by scripts/image -rootfs, the same user,
# environment, entrypoint and labels); `make image` also makes the
# linux/amd64 + linux/arm64 index (here: docker buildx --platform ...).

FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build
ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=devel
ARG COMMIT=
ARG DATE=1970-01-01T00:00:00Z
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOFLAGS= \
        go build -trimpath -buildvcs=false \
        -ldflags "-s -w -buildid= -X main.version=$VERSION -X main.commit=$COMMIT -X main.date=$DATE" \
        -o /rootfs/usr/local/bin/dockvet ./cmd/dockvet \
    && go run ./scripts/image -rootfs /rootfs

FROM scratch
ARG VERSION=devel
ARG COMMIT=
ARG DATE=1970-01-01T00:00:00Z
COPY --from=build /rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    HOME=/home/nonroot \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /work
LABEL org.opencontainers.image.title="dockvet" \
      org.opencontainers.image.description="Lint Dockerfiles and OCI images for the mistakes that take production down" \
      org.opencontainers.image.source="https://github.com/dockvet/dockvet" \
      org.opencontainers.image.url="https://github.com/dockvet/dockvet" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$COMMIT" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.created="$DATE"
ENTRYPOINT ["/usr/local/bin/dockvet"]

FROM alpine:3.20 AS base
WORKDIR /srv

FROM base AS app
WORKDIR site/

FROM alpine:3.20 AS base

FROM base AS unused
ENV APP_MODE production
LABEL maintainer team-a

FROM base AS final

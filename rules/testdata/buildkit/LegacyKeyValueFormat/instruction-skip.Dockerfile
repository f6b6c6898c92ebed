FROM alpine:3.20
# check=skip=LegacyKeyValueFormat
ENV APP_MODE production
# check=skip=LegacyKeyValueFormat
LABEL maintainer team-a

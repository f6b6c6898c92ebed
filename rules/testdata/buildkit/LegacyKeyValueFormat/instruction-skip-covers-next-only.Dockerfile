FROM alpine:3.20
# check=skip=LegacyKeyValueFormat
ENV ONE 1
ENV TWO 2

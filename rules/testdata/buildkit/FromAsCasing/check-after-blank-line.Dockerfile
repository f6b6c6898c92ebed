
# check=skip=FromAsCasing
FROM alpine:3.20 as builder

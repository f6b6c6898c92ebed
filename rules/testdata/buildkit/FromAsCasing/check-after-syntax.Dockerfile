# syntax=docker/dockerfile:1
# check=skip=FromAsCasing
FROM alpine:3.20 as builder

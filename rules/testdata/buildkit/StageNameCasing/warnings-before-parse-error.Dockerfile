FROM alpine:3.20 AS Tools
MAINTAINER someone@example.com
FROBNICATE now

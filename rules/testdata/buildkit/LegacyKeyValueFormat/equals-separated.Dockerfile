FROM alpine:3.20
ENV APP_MODE=production
LABEL maintainer=team-a

FROM alpine:3.20
# check=skip=JSONArgsRecommended
ENTRYPOINT ./server

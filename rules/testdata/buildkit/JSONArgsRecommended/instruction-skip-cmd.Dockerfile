FROM alpine:3.20
# check=skip=JSONArgsRecommended
CMD ./server

FROM alpine:3.20
# check=skip=JSONArgsRecommended
MAINTAINER Jane Doe <jane@example.com>

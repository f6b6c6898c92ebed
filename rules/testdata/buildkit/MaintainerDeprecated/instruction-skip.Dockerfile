FROM alpine:3.20
# check=skip=MaintainerDeprecated
MAINTAINER Jane Doe <jane@example.com>

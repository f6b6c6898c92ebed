# first stage
FROM alpine:3.20 AS one
# check=skip=MaintainerDeprecated
FROM alpine:3.20 AS two
MAINTAINER someone@example.com

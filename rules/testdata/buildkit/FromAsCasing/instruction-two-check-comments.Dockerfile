FROM alpine:3.20 AS one
# check=skip=MaintainerDeprecated
# check=skip=FromAsCasing
FROM alpine:3.20 as two

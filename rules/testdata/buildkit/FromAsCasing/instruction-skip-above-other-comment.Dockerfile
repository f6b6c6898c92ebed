FROM alpine:3.20 AS one
# check=skip=FromAsCasing
# the stage that ships
FROM alpine:3.20 as two

FROM alpine:3.20 AS one
# check=skipp=FromAsCasing
FROM alpine:3.20 as two

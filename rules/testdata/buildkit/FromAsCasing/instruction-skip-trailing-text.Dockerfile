FROM alpine:3.20 AS one
# check=skip=FromAsCasing because the team likes it
FROM alpine:3.20 as two

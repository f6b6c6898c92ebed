FROM alpine:3.20
# check=skip=UndefinedVar
COPY $NOPE /

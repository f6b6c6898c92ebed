FROM alpine:3.20
# check=skip=WorkdirRelativePath
WORKDIR src/

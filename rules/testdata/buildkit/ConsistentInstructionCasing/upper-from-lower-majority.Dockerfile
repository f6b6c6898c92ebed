FROM alpine:3.20
workdir /src
run echo one
env A=1

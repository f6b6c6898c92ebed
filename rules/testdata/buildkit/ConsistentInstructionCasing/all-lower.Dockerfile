from alpine:3.20
workdir /src
run echo one

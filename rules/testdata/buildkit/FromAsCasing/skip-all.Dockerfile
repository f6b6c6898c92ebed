#check=skip=all
FROM alpine:3.20 as builder
run echo mixed casing

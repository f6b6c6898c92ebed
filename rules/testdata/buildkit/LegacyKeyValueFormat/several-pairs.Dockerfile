FROM alpine:3.20
ENV A=1 B=2
LABEL a=1 b="two words"

FROM alpine:3.20
ENV A=${U_PLUS:+set} B=${U_MINUS-unset}

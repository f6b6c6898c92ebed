FROM alpine:3.20
RUN <<'SCRIPT'
env
echo done
SCRIPT

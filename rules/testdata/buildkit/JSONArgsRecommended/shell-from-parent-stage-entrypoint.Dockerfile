FROM alpine:3.20 AS withshell
SHELL ["/bin/ash", "-c"]

FROM withshell
ENTRYPOINT ./server

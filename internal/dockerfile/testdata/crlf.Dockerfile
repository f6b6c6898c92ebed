FROM alpine:3.20
RUN apk add --no-cache curl \
    && echo done
# a comment
COPY --chown=1:1 a b
RUN <<EOF
echo heredoc
EOF
CMD ["echo", "x"]

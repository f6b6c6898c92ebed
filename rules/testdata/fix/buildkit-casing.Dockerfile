FROM alpine:3.20 as Builder
run echo hi
From alpine:3.20
COPY --from=Builder /x /x
EXPOSE 80/TCP 443

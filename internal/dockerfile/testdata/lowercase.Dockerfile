from alpine:3.20 as Build
run apk add --no-cache curl
copy --from=build /a /b
Cmd ["sh"]
entrypoint echo hi

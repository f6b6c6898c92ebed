FROM alpine:3.20
LABEL "com.example.team" "platform"

FROM alpine:3.20
ENTRYPOINT ["./server"]
CMD ["--port", "8080"]

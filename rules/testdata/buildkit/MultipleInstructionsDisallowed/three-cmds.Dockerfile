FROM alpine:3.20
CMD ["one"]
CMD ["two"]
CMD ["three"]

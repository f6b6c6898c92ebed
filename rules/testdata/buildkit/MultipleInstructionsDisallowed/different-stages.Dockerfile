FROM alpine:3.20 AS a
ENTRYPOINT ["/bin/first"]
CMD ["first"]
HEALTHCHECK CMD ["/bin/check-first"]

FROM a AS b
ENTRYPOINT ["/bin/second"]
CMD ["second"]
HEALTHCHECK CMD ["/bin/check-second"]

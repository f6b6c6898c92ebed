FROM alpine:3.20
ENTRYPOINT ["/bin/first"]
ENTRYPOINT ["/bin/second"]
CMD ["first"]
CMD ["second"]
HEALTHCHECK CMD ["/bin/check-first"]
HEALTHCHECK CMD ["/bin/check-second"]

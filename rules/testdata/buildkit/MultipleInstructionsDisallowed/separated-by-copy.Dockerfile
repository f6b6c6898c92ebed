FROM alpine:3.20
ENTRYPOINT ["/bin/first"]
CMD ["first"]
HEALTHCHECK CMD ["/bin/check-first"]
COPY <<TXT /motd
welcome
TXT
ENTRYPOINT ["/bin/second"]
CMD ["second"]
HEALTHCHECK CMD ["/bin/check-second"]

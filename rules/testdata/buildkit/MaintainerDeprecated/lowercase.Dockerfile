from alpine:3.20
maintainer jane@example.com

FROM alpine:3.20
ENV C=${U_QUESTION?needed}

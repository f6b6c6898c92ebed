FROM alpine:3.20 AS compile
RUN echo building

FROM alpine:3.20 AS release-2
COPY --from=compile /etc/hostname /copied

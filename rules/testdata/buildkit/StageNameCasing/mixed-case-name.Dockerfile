FROM alpine:3.20 AS Compile
RUN echo building

FROM alpine:3.20 AS release
COPY --from=Compile /etc/hostname /copied

FROM alpine:3.20
\
RUN echo starts-after-a-lone-escape-line
RUN echo a \
  \
  b

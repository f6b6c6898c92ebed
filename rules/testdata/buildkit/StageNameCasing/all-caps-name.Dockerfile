FROM alpine:3.20 AS TOOLS
RUN echo tools

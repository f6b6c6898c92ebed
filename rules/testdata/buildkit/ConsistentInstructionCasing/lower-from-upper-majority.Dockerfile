from alpine:3.20
WORKDIR /src
RUN echo one
ENV A=1

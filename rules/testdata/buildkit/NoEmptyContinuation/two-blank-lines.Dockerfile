FROM alpine:3.20
RUN echo one \


    two
ENV A=1

from alpine:3.20
RUN echo one
run echo two

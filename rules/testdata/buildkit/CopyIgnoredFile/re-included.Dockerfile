FROM scratch
COPY ./Dockerfile .

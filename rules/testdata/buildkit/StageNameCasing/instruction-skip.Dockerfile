FROM alpine:3.20 AS first
RUN echo one

# check=skip=StageNameCasing
FROM alpine:3.20 AS Second
RUN echo two

# check=skip=StageNameCasing
FROM alpine:3.20 AS Tools
RUN echo tools


FROM scratch
COPY Dockerfile .
ADD Dockerfile /other

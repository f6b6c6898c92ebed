# check=skip=CopyIgnoredFile

FROM scratch
COPY Dockerfile .
ADD Dockerfile /other

FROM scratch AS base
COPY Dockerfile /renamed
ADD Dockerfile /again

FROM base
COPY --from=base /renamed /Dockerfile

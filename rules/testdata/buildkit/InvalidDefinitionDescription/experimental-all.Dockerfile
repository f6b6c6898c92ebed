# check=experimental=all
# zone a description for another name
ARG region=eu
FROM scratch

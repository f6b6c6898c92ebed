# check=experimental=InvalidDefinitionDescription
# zone a description for another name
#
ARG region=eu
FROM scratch

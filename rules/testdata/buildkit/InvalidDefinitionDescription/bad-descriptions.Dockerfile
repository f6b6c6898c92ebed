# check=experimental=InvalidDefinitionDescription
# zone a description for another name
ARG region=eu
# Base with the wrong casing
FROM scratch AS base
# not a description at all
ARG release=1
# not a description either
ARG color=red size=big

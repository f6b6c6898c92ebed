# check=skip=all;experimental=InvalidDefinitionDescription
# region where the service runs
ARG region=eu

# base the stage everything starts from
FROM scratch AS base

# release the release number
ARG release=1

# color first of several
ARG color=red size=big shape=round
#
ARG plain=value

# a comment about a COPY, not a definition
COPY Dockerfile /

# check=experimental=InvalidDefinitionDescription
# region where the service runs
ARG region=eu

# base the stage everything starts from
FROM scratch AS base
# release the release number
ARG release=1

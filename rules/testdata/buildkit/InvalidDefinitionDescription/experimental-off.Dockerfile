# NAME the name of the thing
ARG name=x
# wrong stage comment
FROM scratch AS base

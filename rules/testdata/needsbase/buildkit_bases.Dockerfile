FROM team/base:1 AS build
WORKDIR ${SUBDIR}app
ENV OUT=$APP/out
CMD echo building

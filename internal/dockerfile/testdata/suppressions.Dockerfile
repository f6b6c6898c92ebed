# dockvet global ignore=DV302
FROM alpine:3.20
# dockvet ignore=DV100,latest-tag because reasons
VOLUME /data
# dockvet ignore=DV100
# an unrelated comment between
VOLUME /other
# dockvet ignore=DV200

# dockvet ignore=
# dockvet ignore=DV100,,DV200
# dockvet: ignore=DV403
# dockvet please ignore everything
# dockvetignore=DV100
RUN apt-get update \
    # dockvet ignore=DV400
    && apt-get install -y curl
  # dockvet ignore=DV300
CMD npm start
# dockvet ignore=DV999

ARG BASE=alpine
ARG TAG=3.20
ARG TARGETARCH
ARG NODEF
ARG FULL=${BASE}:${TAG}
FROM ${BASE}:${TAG} AS a
FROM ${FULL} AS b
FROM img-${TARGETARCH}:${TAG:-latest} AS c
FROM repo/img:${MISSING} AS d
FROM repo/img:${MISSING:-1.0} AS e
FROM repo/img:${NODEF-2.0}@sha256:0123 AS f
FROM repo/img:${OVERRIDE} AS g
FROM ${TAG:+repo/}img AS h
FROM $NODEF AS i
ARG TAG
ARG LOCAL=x
ENV PATH=/opt/bin:$PATH HOME=/root
ENV REF=busybox:${LOCAL}
ARG TARGETARCH
COPY --from=${REF} /a /b
COPY --from=${TARGETARCH} /a /b
RUN --mount=from=${TAG},target=/t true
FROM i
COPY --from=repo/x:${LOCAL} /a /b

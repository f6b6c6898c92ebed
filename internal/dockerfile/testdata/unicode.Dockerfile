FROM alpine:3.20
LABEL description="café ☕ crème" version=1
RUN echo "日本語" && apk add --no-cache curl
RUN echo "😀😀" \
    && echo "ünïcödé" && rm -rf /tmp/x
ENV GRÜSSE="hallo welt" NEXT=1
# dockvet ignore=DV100 — naïve reason
VOLUME ["/dätä", "/x"]
RUN echo café && apk add --no-cache naïve 日本
RUN echo éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé ü && apk add --no-cache öööööööööööööööööööööööööööööööööööööööööööööööööööööööööööö x
COPY --chown=ü:ü café /日本/

FROM scratch AS one
COPY $first /

FROM scratch AS two
COPY $second /

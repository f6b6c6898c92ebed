FROM scratch
FROM scratch AS named

ARG PART="pine:"
FROM al${PART}

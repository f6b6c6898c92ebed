FROM alpine:3.20 as builder
RUN echo hi

FROM alpine:3.20 AS runner

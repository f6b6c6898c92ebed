RUN echo before-from
FROM
FOO bar
FROM alpine:3.20
BOGUS instruction here
RUN --badflag=1 echo x
USER
ENV A=b C
COPY onlyone
RUN echo still-parsed
EXPOSE 80/tcp 443
HEALTHCHECK --interval=5s CMD curl -f http://localhost/
ONBUILD RUN echo onbuild
STOPSIGNAL SIGTERM
MAINTAINER someone

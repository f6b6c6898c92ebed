FROM example.com/with-triggers:1
RUN true

FROM example.com/jdk:21
ENV PATH=$JAVA_HOME/bin:$PATH

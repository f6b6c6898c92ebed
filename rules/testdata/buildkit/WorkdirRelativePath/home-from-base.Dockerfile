FROM example.com/base/with-home:1
WORKDIR $HOME

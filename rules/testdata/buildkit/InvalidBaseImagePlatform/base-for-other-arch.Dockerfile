FROM example.com/app/base:1
ENV MODE=prod

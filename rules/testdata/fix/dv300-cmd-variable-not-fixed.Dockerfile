FROM debian:12
CMD node $APP

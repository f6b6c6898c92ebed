FROM debian:12
VOLUME [/data, /logs]

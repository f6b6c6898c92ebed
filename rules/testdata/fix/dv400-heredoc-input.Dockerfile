FROM debian:12
RUN cat <<EOF > /etc/motd && apt-get update && apt-get install -y --no-install-recommends vim
hello
EOF

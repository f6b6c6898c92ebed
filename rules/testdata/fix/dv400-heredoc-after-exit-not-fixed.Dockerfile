FROM debian:12
RUN <<EOF
set -e
apt-get update
apt-get install -y --no-install-recommends curl
exit 0
EOF

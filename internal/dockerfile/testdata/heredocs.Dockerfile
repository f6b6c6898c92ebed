FROM debian:bookworm
RUN <<EOF
apt-get update
apt-get install -y curl
EOF
RUN <<-EOT
	set -e
	echo tabbed
	EOT
RUN bash <<'EOF'
set -euo pipefail
echo "$HOME"
EOF
RUN cat <<EOF > /etc/motd && chmod 644 /etc/motd
hello
EOF
COPY <<EOF /x
file content
EOF
COPY <<-"EOT" /y
	tabbed content
	EOT
RUN <<EOF
#!/usr/bin/env python3
print("not shell")
EOF
RUN <<EOF
#!/bin/bash
echo shebang-shell
EOF
RUN <<A <<B cat - /dev/stdin
first
A
second
B
RUN --mount=type=cache,target=/var/cache/apt \
    apt-get update && bash <<EOF
echo in-continuation
EOF
RUN python3 <<EOF
print("py")
EOF
RUN 	<<EOF
	echo tab-before-heredoc-word
EOF
RUN echo after-heredocs

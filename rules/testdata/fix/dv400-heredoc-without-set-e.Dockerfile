FROM debian:12
RUN <<-EOT bash
	apt-get update
	apt-get install -y --no-install-recommends git
	EOT

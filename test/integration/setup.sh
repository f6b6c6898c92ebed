#!/usr/bin/env bash
# Installs what `make test-integration` needs: Debian's docker-registry (the
# CNCF distribution server, v2 API), htpasswd (apache2-utils) and pre-commit
# (for the hooks test). Idempotent: does nothing when all three are there.
#
# The package's maintainer scripts would start a system service listening on
# :5000. The tests never use it (they run their own server, with their own
# config, on a free loopback port), but a stray daemon is not wanted on a CI
# box, so services are kept from starting during the install with a
# temporary policy-rc.d (unless one already exists), and a service that
# started anyway is stopped through its init system.
set -euo pipefail

need=()
command -v docker-registry >/dev/null 2>&1 || [ -x /usr/bin/docker-registry ] || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v pre-commit >/dev/null 2>&1 || need+=(pre-commit)
if [ ${#need[@]} -eq 0 ]; then
	echo "setup.sh: docker-registry, htpasswd and pre-commit already installed"
	exit 0
fi

SUDO=()
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=(sudo)
	else
		echo "setup.sh: need root (or sudo) to apt-get install ${need[*]}" >&2
		exit 1
	fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "setup.sh: no apt-get; install ${need[*]} by hand" >&2
	exit 1
fi

policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# dockvet test/integration/setup.sh: no services during install\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
	"${SUDO[@]}" chmod 755 "$policy"
	made_policy=1
fi
cleanup() { if [ -n "$made_policy" ]; then "${SUDO[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

echo "setup.sh: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

# Belt and braces: if the init system started the packaged service anyway
# (a policy-rc.d that allows it), stop it and keep it from starting at boot.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	"${SUDO[@]}" systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
elif [ -x /etc/init.d/docker-registry ]; then
	"${SUDO[@]}" /etc/init.d/docker-registry stop >/dev/null 2>&1 || true
fi

command -v docker-registry >/dev/null
command -v htpasswd >/dev/null
command -v pre-commit >/dev/null
echo "setup.sh: $(docker-registry --version); pre-commit $(pre-commit --version)"

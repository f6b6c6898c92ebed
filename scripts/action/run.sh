#!/usr/bin/env bash
# The logic of action.yml (the dockvet GitHub Action), in a file so it can be
# tested outside GitHub (scripts/action/run_test.go). Inputs arrive as
# INPUT_* variables, as GitHub passes them to actions:
#
#   INPUT_PATHS       files or directories to lint, separated by spaces or
#                     newlines (default ".")
#   INPUT_FORMAT      dockvet's --format (default "github")
#   INPUT_FAIL_ON     --fail-on (default: dockvet's, or the config's)
#   INPUT_CONFIG      --config
#   INPUT_VERSION     a release tag to download and verify against the
#                     release's SHA256SUMS ("latest" for the newest); empty:
#                     build dockvet with Go from the action's own checkout
#   INPUT_SARIF_FILE  also write a SARIF report to this file (for
#                     github/codeql-action/upload-sarif)
#
# DOCKVET_RELEASE_URL (default https://github.com/dockvet/dockvet/releases)
# is where releases are downloaded from; the tests point it at a local server.
#
# Exit code: dockvet's (0 clean, 1 findings at or above fail-on, 2 error);
# any failure to get a verified binary exits 2 before dockvet runs.
set -euo pipefail

die() { echo "::error title=dockvet action::$*" >&2; exit 2; }

action_dir=${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
work=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/dockvet-action
mkdir -p "$work/bin"

# The release asset of this runner: dockvet-<os>-<arch>[.exe].
asset_name() {
	local os arch
	case "${RUNNER_OS:-$(uname -s)}" in
		Linux | linux) os=linux ;;
		macOS | Darwin) os=darwin ;;
		Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
		*) die "unsupported runner OS ${RUNNER_OS:-$(uname -s)}" ;;
	esac
	case "${RUNNER_ARCH:-$(uname -m)}" in
		X64 | x86_64 | amd64) arch=amd64 ;;
		ARM64 | aarch64 | arm64) arch=arm64 ;;
		*) die "unsupported runner architecture ${RUNNER_ARCH:-$(uname -m)}" ;;
	esac
	if [ "$os" = windows ]; then
		echo "dockvet-$os-$arch.exe"
	else
		echo "dockvet-$os-$arch"
	fi
}

fetch() { # URL FILE
	if command -v curl >/dev/null 2>&1; then
		curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"
	elif command -v wget >/dev/null 2>&1; then
		wget --quiet --tries=3 --output-document="$2" "$1"
	else
		die "neither curl nor wget to download $1"
	fi
}

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

download() { # VERSION -> path of a verified binary
	local version=$1 base want got
	base=${DOCKVET_RELEASE_URL:-https://github.com/dockvet/dockvet/releases}
	if [ "$version" = latest ]; then
		base=$base/latest/download
	else
		base=$base/download/$version
	fi
	fetch "$base/SHA256SUMS" "$work/SHA256SUMS" || die "cannot download $base/SHA256SUMS"
	want=$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1 }' "$work/SHA256SUMS")
	[ -n "$want" ] || die "$base/SHA256SUMS lists no $asset"
	fetch "$base/$asset" "$work/$asset.download" || die "cannot download $base/$asset"
	got=$(sha256_of "$work/$asset.download")
	if [ "$got" != "$want" ]; then
		rm -f "$work/$asset.download"
		die "checksum mismatch for $asset: SHA256SUMS says $want, the download is $got"
	fi
	chmod +x "$work/$asset.download"
	mv "$work/$asset.download" "$work/bin/$exe"
	echo "$work/bin/$exe"
}

build() { # -> path of a binary built from the action's checkout
	command -v go >/dev/null 2>&1 || die "version is empty, so dockvet is built from source, but there is no go on PATH (add actions/setup-go, or set version to a release)"
	(cd "$action_dir" && CGO_ENABLED=0 go build -trimpath -o "$work/bin/$exe" ./cmd/dockvet) >&2 ||
		die "go build of dockvet in $action_dir failed"
	echo "$work/bin/$exe"
}

asset=$(asset_name)
exe=dockvet
case "$asset" in *.exe) exe=dockvet.exe ;; esac
if [ -n "${INPUT_VERSION:-}" ]; then
	dockvet=$(download "$INPUT_VERSION")
else
	dockvet=$(build)
fi
if [ -n "${GITHUB_PATH:-}" ]; then
	echo "$work/bin" >>"$GITHUB_PATH" # later steps can run dockvet too
fi
"$dockvet" version >&2

# Paths: spaces or newlines between them (a multi-line YAML value works).
read -r -d '' -a paths <<<"${INPUT_PATHS:-.}" || true
if [ ${#paths[@]} -eq 0 ]; then
	paths=(.)
fi

opts=()
if [ -n "${INPUT_FAIL_ON:-}" ]; then
	opts+=(--fail-on "$INPUT_FAIL_ON")
fi
if [ -n "${INPUT_CONFIG:-}" ]; then
	opts+=(--config "$INPUT_CONFIG")
fi

code=0
"$dockvet" lint --format "${INPUT_FORMAT:-github}" ${opts[@]+"${opts[@]}"} -- "${paths[@]}" || code=$?

if [ -n "${INPUT_SARIF_FILE:-}" ]; then
	# A second run for the code-scanning upload; its exit code only matters
	# when it is an error (2): findings are the first run's to report.
	sarif_code=0
	"$dockvet" lint --format sarif ${opts[@]+"${opts[@]}"} --fail-on none -- "${paths[@]}" >"$INPUT_SARIF_FILE" || sarif_code=$?
	if [ "$sarif_code" -ne 0 ]; then
		echo "::error title=dockvet action::writing the SARIF report $INPUT_SARIF_FILE failed (exit $sarif_code)" >&2
		[ "$code" -ne 0 ] || code=$sarif_code
	fi
fi
exit "$code"

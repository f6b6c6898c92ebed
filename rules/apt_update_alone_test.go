package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestAptUpdateAlone(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts dockerfile.Options
		want []string // positions
		msg  string   // a substring of the (first) message
	}{
		{"update alone", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n", dockerfile.Options{}, []string{"2:5-2:19"}, "stale index"},
		{"with options", "FROM debian:12\nRUN apt-get -qq -y update\n", dockerfile.Options{}, []string{"2:5-2:26"}, "apt-get update without an install"},
		{"apt update", "FROM debian:12\nrun apt update\n", dockerfile.Options{}, []string{"2:5-2:15"}, "apt update"},
		{"next to repository setup", "FROM debian:12\nRUN echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/bp.list && apt-get update\n", dockerfile.Options{}, []string{"2:106-2:120"}, "apt-get update without an install in the same RUN"},
		{"sudo prefix", "FROM debian:12\nRUN sudo apt-get update\n", dockerfile.Options{}, []string{"2:10-2:24"}, "apt-get update without an install in the same RUN"},
		{"update and remove: nothing installs", "FROM debian:12\nRUN apt-get update && apt-get purge -y imagemagick\n", dockerfile.Options{}, []string{"2:5-2:19"}, "apt-get update without an install in the same RUN"},
		{"builder stage too", "FROM debian:12 AS build\nRUN apt-get update\nRUN apt-get install -y gcc\nFROM scratch\n", dockerfile.Options{}, []string{"2:5-2:19"}, "run update and install in one RUN"},
		{"cache mount: the index is stale all the same", "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n", dockerfile.Options{}, []string{"2:50-2:64"}, "stale index (old versions, 404s); run update and install in one RUN"},

		{"update and install", "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, nil, ""},
		{"update and upgrade", "FROM debian:12\nRUN apt-get update && apt-get upgrade -y\n", dockerfile.Options{}, nil, ""},
		{"heredoc with install", "FROM debian:12\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\n", dockerfile.Options{}, nil, ""},
		{"sh -c with install", "FROM debian:12\nRUN sh -c 'apt-get update && apt-get install -y curl'\n", dockerfile.Options{}, nil, ""},
		{"a script might install", "FROM debian:12\nRUN apt-get update && ./install-deps.sh\n", dockerfile.Options{}, nil, ""},
		{"xargs might install", "FROM debian:12\nRUN apt-get update && xargs apt-get install -y < packages.txt\n", dockerfile.Options{}, nil, ""},
		{"a variable command might install", "FROM debian:12\nRUN apt-get update && $APT install -y curl\n", dockerfile.Options{}, nil, ""},
		{"the index is removed in the same RUN", "FROM debian:12\nRUN apt-get update && rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, nil, ""},
		{"no apt", "FROM alpine:3\nRUN apk add --no-cache curl\n", dockerfile.Options{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, AptUpdateAlone, tt.src, tt.opts)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestAptListsNotRemoved(t *testing.T) {
	const install = "RUN apt-get update && apt-get install -y curl"
	tests := []struct {
		name string
		src  string
		opts dockerfile.Options
		want []string // positions
		msg  string   // a substring of the (first) message
	}{
		{"no cleanup", "FROM debian:12\n" + install + "\n", dockerfile.Options{}, []string{"2:23-2:38"}, "stays in this layer"},
		{"apt-get clean does not remove the lists", "FROM debian:12\n" + install + " && apt-get clean\n", dockerfile.Options{}, []string{"2:23-2:38"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"cleanup after || does not count", "FROM debian:12\n" + install + " || rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, []string{"2:23-2:38"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"cleanup before the install does not count", "FROM debian:12\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y curl\n", dockerfile.Options{}, []string{"2:54-2:69"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"rm without -r of the directory", "FROM debian:12\n" + install + " && rm -f /var/lib/apt/lists\n", dockerfile.Options{}, []string{"2:23-2:38"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"cache mount of another directory", "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt " + install[4:] + "\n", dockerfile.Options{}, []string{"2:64-2:79"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"lower-case run", "FROM debian:12\nrun apt-get update && apt-get install -y curl\n", dockerfile.Options{}, []string{"2:23-2:38"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"sudo prefix: points at apt-get", "FROM debian:12\nRUN sudo apt-get update && sudo -E apt-get install -y curl\n", dockerfile.Options{}, []string{"2:36-2:51"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"DEBIAN_FRONTEND assignment prefix", "FROM debian:12\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y curl\n", dockerfile.Options{}, []string{"2:54-2:69"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"env prefix", "FROM debian:12\nRUN apt-get update && env DEBIAN_FRONTEND=noninteractive apt-get install -y curl\n", dockerfile.Options{}, []string{"2:58-2:73"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"options before the sub-command", "FROM debian:12\nRUN apt-get -qq update && apt-get -o Acquire::Retries=3 -y install curl\n", dockerfile.Options{}, []string{"2:27-2:67"}, "apt-get install"},
		{"apt and aptitude", "FROM debian:12\nRUN apt update && aptitude install -y curl\n", dockerfile.Options{}, []string{"2:19-2:35"}, "aptitude install"},
		{"an upgrade before the install: points at the install", "FROM debian:12\nRUN apt-get update && apt-get upgrade -y && apt-get install -y curl\n", dockerfile.Options{}, []string{"2:45-2:60"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"upgrade alone", "FROM debian:12\nRUN apt-get update && apt-get dist-upgrade -y\n", dockerfile.Options{}, []string{"2:23-2:43"}, "apt-get dist-upgrade"},
		{"heredoc script without cleanup", "FROM debian:12\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\n", dockerfile.Options{}, []string{"5:1-5:16"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"sh -c wrapper", "FROM debian:12\nRUN sh -c 'apt-get update && apt-get install -y curl'\n", dockerfile.Options{}, []string{"2:30-2:45"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"multi-line RUN", "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n      curl\n", dockerfile.Options{}, []string{"3:5-3:20"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"sh does not expand braces", "FROM debian:12\n" + install + " && rm -rf /var/lib/{apt,dpkg}/\n", dockerfile.Options{}, []string{"2:23-2:38"}, "/bin/sh does not expand {a,b} braces"},
		{"install in a RUN without update", "FROM debian:12\nRUN apt-get install -y curl\n", dockerfile.Options{}, []string{"2:5-2:20"}, "neither runs apt-get update"},
		{"install in the parent stage", "FROM debian:12 AS base\n" + install + "\nFROM base\nCMD [\"curl\"]\n", dockerfile.Options{}, []string{"2:23-2:38"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},
		{"conditional install, unconditional cleanup missing", "FROM debian:12\nRUN if [ -n \"$X\" ]; then apt-get update && apt-get install -y curl; fi\n", dockerfile.Options{}, []string{"2:44-2:59"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},

		{"a later RUN with its own update, install and cleanup does not clean this one", "FROM debian:12\n" + install + "\nRUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, []string{"2:23-2:38"}, "apt-get install without removing /var/lib/apt/lists in the same RUN"},

		{"rm -rf lists/*", "FROM debian:12\n" + install + " && rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, nil, ""},
		{"cleanup after ;", "FROM debian:12\n" + install + "; rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, nil, ""},
		{"rm -r of the directory", "FROM debian:12\n" + install + " && rm -r /var/lib/apt/lists\n", dockerfile.Options{}, nil, ""},
		{"rm -fR lists/", "FROM debian:12\n" + install + " && rm -fR /var/lib/apt/lists/\n", dockerfile.Options{}, nil, ""},
		{"rm --recursive --force", "FROM debian:12\n" + install + " && rm --recursive --force /var/lib/apt/lists\n", dockerfile.Options{}, nil, ""},
		{"rm with other operands", "FROM debian:12\n" + install + " && rm -rf /var/lib/apt/lists/* /tmp/*\n", dockerfile.Options{}, nil, ""},
		{"rm of the list files by glob", "FROM debian:12\n" + install + " && rm /var/lib/apt/lists/*_*\n", dockerfile.Options{}, nil, ""},
		{"find -delete", "FROM debian:12\n" + install + " && find /var/lib/apt/lists -type f -delete\n", dockerfile.Options{}, nil, ""},
		{"rm of /var/lib/apt", "FROM debian:12\n" + install + " && rm -rf /var/lib/apt\n", dockerfile.Options{}, nil, ""},
		{"apt-get dist-clean", "FROM debian:13\n" + install + " && apt-get dist-clean\n", dockerfile.Options{}, nil, ""},
		{"apt dist-clean", "FROM debian:13\n" + install + " && apt dist-clean\n", dockerfile.Options{}, nil, ""},
		{"cache mount of the lists", "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists " + install[4:] + "\n", dockerfile.Options{}, nil, ""},
		{"cache mount of /var/lib/apt", "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    --mount=type=cache,target=/var/cache/apt \\\n    " + install[4:] + "\n", dockerfile.Options{}, nil, ""},
		{"tmpfs mount of the lists", "FROM debian:12\nRUN --mount=type=tmpfs,target=/var/lib/apt/lists/ " + install[4:] + "\n", dockerfile.Options{}, nil, ""},
		{"cache mount target from an ARG", "FROM debian:12\nARG LISTS=/var/lib/apt/lists\nRUN --mount=type=cache,target=$LISTS " + install[4:] + "\n", dockerfile.Options{}, nil, ""},
		{"heredoc script with set -e and cleanup", "FROM debian:12\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nrm -rf /var/lib/apt/lists/*\nEOF\n", dockerfile.Options{}, nil, ""},
		{"sh -c wrapper with cleanup inside", "FROM debian:12\nRUN sh -c 'apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*'\n", dockerfile.Options{}, nil, ""},
		{"sh -c wrapper with cleanup outside", "FROM debian:12\nRUN sh -c 'apt-get update && apt-get install -y curl' && rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, nil, ""},
		{"bash heredoc", "FROM debian:12\nRUN bash <<EOF\napt-get update\napt-get install -y curl\nrm -rf /var/lib/apt/lists/*\nEOF\n", dockerfile.Options{}, nil, ""},
		{"sudo and DEBIAN_FRONTEND with cleanup", "FROM debian:12\nRUN sudo apt-get update && DEBIAN_FRONTEND=noninteractive sudo apt-get install -y curl && sudo rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, nil, ""},
		{"bash expands braces", "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\n" + install + " && rm -rf /var/lib/{apt,dpkg}/\n", dockerfile.Options{}, nil, ""},
		{"removal path from an ARG", "FROM debian:12\nARG LISTS=/var/lib/apt/lists\n" + install + " && rm -rf $LISTS\n", dockerfile.Options{}, nil, ""},
		{"removal path from a shell variable: cannot be sure", "FROM debian:12\n" + install + " && rm -rf \"$APT_DIR\"/lists\n", dockerfile.Options{}, nil, ""},
		{"install and cleanup in the same branch", "FROM debian:12\nRUN if [ -n \"$X\" ]; then apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*; fi\n", dockerfile.Options{}, nil, ""},
		{"builder stage only", "FROM debian:12 AS build\n" + install + "\nFROM scratch\nCOPY --from=build /usr/bin/curl /curl\n", dockerfile.Options{}, nil, ""},
		{"cleanup in a later RUN: DV401's finding", "FROM debian:12\n" + install + "\nRUN rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, nil, ""},
		{"install-only RUN after an update RUN: one finding there", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n", dockerfile.Options{}, nil, ""},
		{"update alone: DV402's finding", "FROM debian:12\nRUN apt-get update\n", dockerfile.Options{}, nil, ""},
		{"exec form RUN", "FROM debian:12\nRUN [\"apt-get\", \"install\", \"-y\", \"curl\"]\n", dockerfile.Options{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, AptListsNotRemoved, tt.src, tt.opts)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestSplitAptCleanup(t *testing.T) {
	const install = "RUN apt-get update && apt-get install -y curl"
	const cleanup = "RUN rm -rf /var/lib/apt/lists/*"
	tests := []struct {
		name    string
		src     string
		opts    dockerfile.Options
		want    []string // positions
		related []string // positions of the first finding's related locations
		msg     string   // a substring of the (first) message
	}{
		{"update, install, cleanup: three RUNs", "FROM ubuntu:24.04\nRUN apt-get update\nRUN apt-get install -y curl\n" + cleanup + "\n", dockerfile.Options{}, []string{"4:5-4:32"}, []string{"2:5-2:19", "3:5-3:20"}, "lines 2 and 3"},
		{"install, then cleanup", "FROM ubuntu:24.04\n" + install + "\n" + cleanup + "\n", dockerfile.Options{}, []string{"3:5-3:32"}, []string{"2:23-2:38"}, "later RUN than apt-get install on line 2"},
		{"later dist-clean", "FROM debian:13\n" + install + "\nRUN apt-get dist-clean\n", dockerfile.Options{}, []string{"3:5-3:23"}, []string{"2:23-2:38"}, "later RUN than apt-get install on line 2: that layer already holds the lists"},
		{"cleanup among other commands", "FROM debian:12\n" + install + "\nRUN apt-get purge -y gcc && rm -rf /tmp/* /var/lib/apt/lists/*\n", dockerfile.Options{}, []string{"3:29-3:63"}, []string{"2:23-2:38"}, "later RUN than apt-get install on line 2: that layer already holds the lists"},
		{"install in the parent stage", "FROM debian:12 AS base\n" + install + "\nFROM base\n" + cleanup + "\n", dockerfile.Options{}, []string{"4:5-4:32"}, []string{"2:23-2:38"}, "later RUN than apt-get install on line 2: that layer already holds the lists"},
		{"lower-case run, sudo", "FROM debian:12\nrun sudo apt-get update && sudo apt-get install -y curl\nrun sudo rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, []string{"3:10-3:37"}, []string{"2:33-2:48"}, "later RUN than apt-get install on line 2: that layer already holds the lists"},
		{"update alone, then install and cleanup", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, []string{"3:32-3:59"}, []string{"2:5-2:19"}, "later RUN than apt-get update on line 2"},
		{"update alone, then cleanup", "FROM debian:12\nRUN apt-get update\n" + cleanup + "\n", dockerfile.Options{}, []string{"3:5-3:32"}, []string{"2:5-2:19"}, "later RUN than apt-get update on line 2"},
		{"one finding for two cleanups", "FROM debian:12\n" + install + "\n" + cleanup + "\n" + cleanup + "\n", dockerfile.Options{}, []string{"3:5-3:32"}, []string{"2:23-2:38"}, "later RUN than apt-get install on line 2: that layer already holds the lists"},

		{"cleanup before the later RUN's own update: still split", "FROM debian:12\n" + install + "\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, []string{"3:5-3:32"}, []string{"2:23-2:38"}, "later RUN than apt-get install on line 2"},
		{"a self-contained RUN between the install and a cleanup RUN", "FROM debian:12\n" + install + "\nRUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n" + cleanup + "\n", dockerfile.Options{}, []string{"4:5-4:32"}, []string{"2:23-2:38"}, "later RUN than apt-get install on line 2"},

		// A later RUN that downloads its own index and removes it cleans up
		// after itself: the earlier install is apt-lists-not-removed (DV400).
		{"later RUN with its own update, install and cleanup", "FROM debian:12\n" + install + "\nRUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, nil, nil, ""},
		{"later RUN with its own update and cleanup", "FROM debian:12\n" + install + "\nRUN apt-get update && apt-get purge -y --auto-remove gcc && rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, nil, nil, ""},
		{"same RUN", "FROM debian:12\n" + install + " && rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, nil, nil, ""},
		{"conditional cleanup does not count", "FROM debian:12\n" + install + "\nRUN test -f /x || rm -rf /var/lib/apt/lists/*\n", dockerfile.Options{}, nil, nil, ""},
		{"install with a cache mount of the lists", "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists " + install[4:] + "\n" + cleanup + "\n", dockerfile.Options{}, nil, nil, ""},
		{"install in a builder stage, cleanup in the final one", "FROM debian:12 AS build\n" + install + "\nFROM debian:12\n" + cleanup + "\n", dockerfile.Options{}, nil, nil, ""},
		{"both in a builder stage", "FROM debian:12 AS build\n" + install + "\n" + cleanup + "\nFROM scratch\nCOPY --from=build /usr/bin/curl /curl\n", dockerfile.Options{}, nil, nil, ""},
		{"cleanup without any install", "FROM debian:12\n" + cleanup + "\n", dockerfile.Options{}, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, SplitAptCleanup, tt.src, tt.opts)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			if len(ds) == 0 {
				return
			}
			var rel []string
			for _, r := range ds[0].Related {
				rel = append(rel, r.Range.Start.String()+"-"+r.Range.End.String())
			}
			if !slices.Equal(rel, tt.related) {
				t.Errorf("related %v, want %v", rel, tt.related)
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

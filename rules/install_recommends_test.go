package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestInstallRecommends(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
		msg  string
	}{
		{"apt-get install", "FROM debian\nRUN apt-get update && apt-get install -y curl\n", []string{"2:23-2:38"},
			"apt-get install without --no-install-recommends also installs every recommended package"},
		{"apt install", "FROM ubuntu\nRUN apt install -y curl\n", []string{"2:5-2:16"}, "apt install without --no-install-recommends"},
		{"each install", "FROM debian\nRUN apt-get install -y curl && apt-get install -y git\n", []string{"2:5-2:20", "2:32-2:47"}, "apt-get install without"},
		{"parent stage of the final image", "FROM debian AS base\nRUN apt-get install -y curl\nFROM base\n", []string{"2:5-2:20"}, "apt-get install without"},
		{"setting in a later RUN does not count", "FROM debian\nRUN apt-get install -y curl\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99r\n", []string{"2:5-2:20"}, "apt-get install without"},
		{"--no-install-recommends", "FROM debian\nRUN apt-get install -y --no-install-recommends curl\n", nil, ""},
		{"--no-install-recommends after the packages", "FROM debian\nRUN apt-get install curl -y --no-install-recommends\n", nil, ""},
		{"-o APT::Install-Recommends=false", "FROM debian\nRUN apt-get install -y -o APT::Install-Recommends=false curl\n", nil, ""},
		{"configured in an earlier RUN", "FROM debian\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/99r\nRUN apt-get install -y curl\n", nil, ""},
		{"configured earlier in the same RUN", "FROM debian\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/99r && apt-get install -y curl\n", nil, ""},
		{"apt config copied in", "FROM debian\nCOPY 99norecommends /etc/apt/apt.conf.d/\nRUN apt-get install -y curl\n", nil, ""},
		{"apt config directory copied in", "FROM debian\nCOPY apt/ /etc/apt/\nRUN apt-get install -y curl\n", nil, ""},
		{"a sources list copied in says nothing about recommends", "FROM debian\nCOPY nodesource.list /etc/apt/sources.list.d/\nRUN apt-get install -y nodejs\n", []string{"3:5-3:20"}, "apt-get install without --no-install-recommends"},
		{"minideb", "FROM bitnami/minideb:bookworm\nRUN apt-get install -y curl\n", nil, ""},
		{"aptitude -R", "FROM debian\nRUN aptitude install -y -R curl\n", nil, ""},
		{"builder stage", "FROM debian AS build\nRUN apt-get install -y gcc\nFROM scratch\nCOPY --from=build /a /a\n", nil, ""},
		{"apt-get install -f installs no named package", "FROM debian\nRUN apt-get install -f -y\n", nil, ""},
		{"apt-get upgrade", "FROM debian\nRUN apt-get upgrade -y\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, InstallRecommends, tt.src, dockerfile.Options{})
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
			for _, d := range ds {
				if d.Fix == nil || d.Fix.Edits[0].NewText != " --no-install-recommends" || d.Fix.Edits[0].Range.Start != d.Range.End {
					t.Errorf("fix %+v does not insert the flag after %v", d.Fix, d.Range)
				}
			}
		})
	}
}

package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestUseraddLogBloat(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts dockerfile.Options
		want []string
		msg  string
	}{
		{"large UID", "FROM debian\nRUN useradd -u 1000000 app\n", dockerfile.Options{}, []string{"2:5-2:23"},
			"useradd -u 1000000 without -l: /var/log/lastlog grows to 1000001 × 292 bytes = 278.5 MiB"},
		{"UID 65536", "FROM debian\nRUN useradd --uid 65536 app\n", dockerfile.Options{}, []string{"2:5-2:24"}, "= 18.3 MiB"},
		{"--uid=", "FROM debian\nRUN useradd --uid=100000 app\n", dockerfile.Options{}, []string{"2:5-2:25"}, "useradd -u 100000 without -l"},
		{"attached -u", "FROM debian\nRUN useradd -u100000 app\n", dockerfile.Options{}, []string{"2:5-2:21"}, "useradd -u 100000"},
		{"cluster ending in u", "FROM debian\nRUN useradd -mu 100000 app\n", dockerfile.Options{}, []string{"2:5-2:23"}, "useradd -u 100000"},
		{"UID from an ARG default", "FROM debian\nARG UID=200000\nRUN useradd -u $UID app\n", dockerfile.Options{}, []string{"3:5-3:20"}, "useradd -u 200000 without -l"},
		{"UID from --build-arg", "FROM debian\nARG UID=1000\nRUN useradd -u ${UID} app\n", dockerfile.Options{BuildArgs: map[string]string{"UID": "70000"}}, []string{"3:5-3:22"}, "useradd -u 70000"},
		{"unknown UID", "FROM debian\nARG UID\nRUN useradd -u $UID app\n", dockerfile.Options{}, []string{"3:5-3:20"},
			"useradd -u $UID without -l: the UID is not known here, and any UID from 65536 up makes /var/log/lastlog a file of 292 bytes × UID in this layer (UID 1000000000: 271.9 GiB)"},
		{"sudo useradd", "FROM debian\nRUN sudo useradd -u 99999 app\n", dockerfile.Options{}, []string{"2:10-2:26"}, "useradd -u 99999"},
		{"-l", "FROM debian\nRUN useradd -l -u 1000000 app\n", dockerfile.Options{}, nil, ""},
		{"--no-log-init", "FROM debian\nRUN useradd --no-log-init -u 1000000 app\n", dockerfile.Options{}, nil, ""},
		{"-l in a cluster", "FROM debian\nRUN useradd -lmu 1000000 app\n", dockerfile.Options{}, nil, ""},
		{"small UID", "FROM debian\nRUN useradd -u 1001 app\n", dockerfile.Options{}, nil, ""},
		{"ARG default small", "FROM debian\nARG UID=1000\nRUN useradd -u $UID app\n", dockerfile.Options{}, nil, ""},
		{"no UID", "FROM debian\nRUN useradd -r -m app\n", dockerfile.Options{}, nil, ""},
		{"an l in a group value is not -l", "FROM debian\nRUN useradd -Gwheel -u 1000000 app\n", dockerfile.Options{}, []string{"2:5-2:31"}, "useradd -u 1000000"},
		{"builder stage", "FROM debian AS build\nRUN useradd -u 1000000 app\nFROM scratch\n", dockerfile.Options{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, UseraddLogBloat, tt.src, tt.opts)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
			for _, d := range ds {
				if d.Fix == nil || d.Fix.Edits[0].NewText != " -l" {
					t.Errorf("no -l fix: %+v", d.Fix)
				}
			}
		})
	}
}

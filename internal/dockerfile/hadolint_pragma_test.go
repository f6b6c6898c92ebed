package dockerfile

import (
	"fmt"
	"strings"
	"testing"
)

// hadolint's ignore pragmas are kept apart from dockvet's, with the codes as
// written and the instruction they apply to.
func TestHadolintPragmas(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// want describes HadolintSuppressions: "global:A,B" or
		// "line N:A,B" (the instruction's start line) or "none:A" (applies to
		// nothing); "" for none at all.
		want string
		// dockvet is the number of dockvet suppressions (hadolint ones must
		// never land there).
		dockvet int
	}{
		{"one code", "# hadolint ignore=DL3007\nFROM alpine:latest\n", "line 2:DL3007", 0},
		{"several codes", "# hadolint ignore=DL3007,DL3006,SC2086\nFROM alpine\n", "line 2:DL3007,DL3006,SC2086", 0},
		{"spaces after commas", "# hadolint ignore=DL3007, DL3006\nFROM alpine\n", "line 2:DL3007,DL3006", 0},
		{"free text after the list", "# hadolint ignore=DL3007 pinned by renovate\nFROM alpine\n", "line 2:DL3007", 0},
		{"global", "FROM alpine\n# hadolint global ignore=DL3002,DL3025\nCMD x\n", "global:DL3002,DL3025", 0},
		{"no space after #", "#hadolint ignore=DL3007\nFROM alpine\n", "line 2:DL3007", 0},
		{"other comment lines between", "# hadolint ignore=DL3007\n# why: see ADR-7\nFROM alpine\n", "line 3:DL3007", 0},
		{"inside a continuation", "RUN a \\\n# hadolint ignore=DL3009\n && b\n", "line 1:DL3009", 0},
		{"not above an instruction", "FROM alpine\n\n# hadolint ignore=DL3007\n", "none:DL3007", 0},
		{"shell pragma is not a suppression", "# hadolint shell=powershell\nFROM alpine\n", "", 0},
		{"empty list", "# hadolint ignore=\nFROM alpine\n", "", 0},
		{"not hadolint", "# hadolintish ignore=DL3007\nFROM alpine\n", "", 0},
		{"dockvet comment untouched", "# dockvet ignore=DV200\nFROM alpine:latest\n", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("Dockerfile", []byte(tt.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range f.HadolintSuppressions {
				var names []string
				for _, r := range s.Rules {
					names = append(names, r.Name)
				}
				where := "none"
				switch {
				case s.Global:
					where = "global"
				case s.Instruction != nil:
					where = fmt.Sprintf("line %d", s.Instruction.StartLine)
				}
				got = append(got, where+":"+strings.Join(names, ","))
			}
			if strings.Join(got, ";") != tt.want {
				t.Errorf("hadolint suppressions %q, want %q", got, tt.want)
			}
			if len(f.Suppressions) != tt.dockvet {
				t.Errorf("%d dockvet suppressions, want %d", len(f.Suppressions), tt.dockvet)
			}
		})
	}
}

// Each code's range covers the code itself, so that a report can point at it.
func TestHadolintPragmaRanges(t *testing.T) {
	f, err := Parse("Dockerfile", []byte("# hadolint ignore=DL3007, SC2086\nFROM alpine\n"), Options{})
	if err != nil || len(f.HadolintSuppressions) != 1 {
		t.Fatalf("%v %+v", err, f.HadolintSuppressions)
	}
	rules := f.HadolintSuppressions[0].Rules
	if len(rules) != 2 || rules[0].Range.Start.Col != 19 || rules[0].Range.End.Col != 25 || rules[1].Range.Start.Col != 27 {
		t.Errorf("ranges %+v", rules)
	}
}

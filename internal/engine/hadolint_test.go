package engine

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// hadolintStandIns report every FROM under the ids that hadolint codes map
// to: DV200 (DL3007), DV300 and DV301 (both DL3025).
func hadolintStandIns() []*rule.Rule {
	var out []*rule.Rule
	for _, id := range []string{"DV200", "DV300", "DV301"} {
		out = append(out, &rule.Rule{ID: id, Name: "stand-in-" + id, Severity: finding.SeverityWarning,
			Check: func(p *rule.Pass) {
				for _, in := range p.File.Instructions {
					if in.Keyword == "FROM" {
						p.Reportf(in.Args()[0].Range, "from")
					}
				}
			}})
	}
	return out
}

func TestHadolintSuppressions(t *testing.T) {
	e, err := New(hadolintStandIns(), Settings{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"no pragma", "FROM a\n", []string{"DV200@1:6:warning", "DV300@1:6:warning", "DV301@1:6:warning"}},
		{"one code, one target", "# hadolint ignore=DL3007\nFROM a\nFROM b\n",
			[]string{"DV300@2:6:warning", "DV301@2:6:warning", "DV200@3:6:warning", "DV300@3:6:warning", "DV301@3:6:warning"}},
		{"one code, two targets", "# hadolint ignore=DL3025\nFROM a\n", []string{"DV200@2:6:warning"}},
		{"lower-case code", "# hadolint ignore=dl3025\nFROM a\n", []string{"DV200@2:6:warning"}},
		{"global", "FROM a\n# hadolint global ignore=DL3007,DL3025\nFROM b\n", nil},
		{"unmapped and shellcheck codes suppress nothing", "# hadolint ignore=DL3008,SC2086\nFROM a\n",
			[]string{"DV200@2:6:warning", "DV300@2:6:warning", "DV301@2:6:warning"}},
		{"code mapped to a rule that does not exist", "# hadolint ignore=DL3026,DL3007\nFROM a\n",
			[]string{"DV300@2:6:warning", "DV301@2:6:warning"}},
		{"dockvet ids are not hadolint codes", "# hadolint ignore=DV200\nFROM a\n",
			[]string{"DV200@2:6:warning", "DV300@2:6:warning", "DV301@2:6:warning"}},
		{"placed above nothing", "FROM a\n# hadolint ignore=DL3007\n",
			[]string{"DV200@1:6:warning", "DV300@1:6:warning", "DV301@1:6:warning"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, _, err := e.LintFile(Input{Name: "D", Src: []byte(tt.src)}, dockerfile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(fs); !slices.Equal(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

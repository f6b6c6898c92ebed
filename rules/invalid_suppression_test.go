package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestInvalidSuppression(t *testing.T) {
	known := func(name string) bool {
		switch name {
		case "DV100", "volume-instruction", "DV200", "latest-tag", "dv200":
			return true
		}
		return false
	}
	tests := []struct {
		name string
		src  string
		want []string // "line:col-endLine:endCol message"
	}{
		{"known rules", "# dockvet ignore=DV200,volume-instruction\nFROM node:latest\n", nil},
		{"global known", "FROM alpine:3\n# dockvet global ignore=latest-tag\n", nil},
		{"unknown id", "# dockvet ignore=DV999\nFROM node:latest\n",
			[]string{"1:18-1:23 unknown rule \"DV999\" in dockvet ignore comment: it suppresses nothing; `dockvet rules` lists the rule ids and names"}},
		{"unknown name among known ones, with a reason", "FROM alpine:3\n# dockvet ignore=DV100,latset-tag reviewed by ops\nVOLUME /data\n",
			[]string{"2:24-2:34 unknown rule \"latset-tag\" in dockvet ignore comment: it suppresses nothing; `dockvet rules` lists the rule ids and names"}},
		{"unknown in global", "FROM alpine:3\n  # dockvet global ignore=nope\n",
			[]string{"2:27-2:31 unknown rule \"nope\" in dockvet global ignore comment: it suppresses nothing; `dockvet rules` lists the rule ids and names"}},
		{"malformed", "# dockvet ignore DV100\nFROM alpine:3\n",
			[]string{"1:1-1:23 malformed dockvet comment: want `# dockvet ignore=RULE[,RULE...]` or `# dockvet global ignore=RULE[,RULE...]`"}},
		{"empty name", "# dockvet ignore=DV100,\nFROM alpine:3\n",
			[]string{"1:1-1:24 empty rule name in dockvet comment: want `# dockvet ignore=RULE[,RULE...]` or `# dockvet global ignore=RULE[,RULE...]`"}},
		{"not above an instruction", "FROM alpine:3\n# dockvet ignore=DV100\n\nVOLUME /data\n",
			[]string{"2:1-2:23 the ignore comment is not directly above an instruction, so it suppresses nothing (use `# dockvet global ignore=...` for the whole file)"}},
		{"ordinary comments", "# this is dockvet-free\n# dockvetting\nFROM alpine:3\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := dockerfile.Parse("Dockerfile", []byte(tt.src), dockerfile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var ds []rule.Diagnostic
			InvalidSuppression.Check(rule.NewPass(InvalidSuppression, f, known, func(d rule.Diagnostic) { ds = append(ds, d) }))
			if got := ruletest.Lines(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

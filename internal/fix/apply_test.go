package fix

import (
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

func rng(l1, c1, l2, c2 int) source.Range {
	return source.Range{Start: source.Pos{Line: l1, Col: c1}, End: source.Pos{Line: l2, Col: c2}}
}

func fixOf(rule string, r source.Range, text string) finding.Finding {
	return finding.Finding{RuleID: rule, Range: r, Fix: &finding.Fix{Description: rule, Edits: []finding.Edit{{Range: r, NewText: text}}}}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		findings []finding.Finding
		want     string
		applied  []string // rule ids, in finding order
	}{
		{
			name:     "replacement",
			src:      "FROM a\nCMD x y\n",
			findings: []finding.Finding{fixOf("DV300", rng(2, 5, 2, 8), `["x", "y"]`)},
			want:     "FROM a\nCMD [\"x\", \"y\"]\n",
			applied:  []string{"DV300"},
		},
		{
			name: "overlap: the lower rule id wins, whatever the order given",
			src:  "FROM a\nRUN x\n",
			findings: []finding.Finding{
				fixOf("DV406", rng(2, 6, 2, 6), " B"),
				fixOf("DV400", rng(2, 6, 2, 6), " A"),
			},
			want:    "FROM a\nRUN x A\n",
			applied: []string{"DV400"},
		},
		{
			name: "insertion inside a replaced range conflicts",
			src:  "FROM a\nRUN abcdef\n",
			findings: []finding.Finding{
				fixOf("DV200", rng(2, 5, 2, 11), "X"),
				fixOf("DV100", rng(2, 7, 2, 7), "Y"),
			},
			want:    "FROM a\nRUN abYcdef\n",
			applied: []string{"DV100"},
		},
		{
			name: "adjacent edits both apply",
			src:  "FROM a\nRUN abc\n",
			findings: []finding.Finding{
				fixOf("DV100", rng(2, 5, 2, 6), "A"),
				fixOf("DV200", rng(2, 6, 2, 8), "BC"),
			},
			want:    "FROM a\nRUN ABC\n",
			applied: []string{"DV100", "DV200"},
		},
		{
			name: "identical fixes from two findings apply once",
			src:  "FROM a\nRUN x\n",
			findings: []finding.Finding{
				fixOf("DV100", rng(2, 6, 2, 6), " y"),
				fixOf("DV100", rng(2, 6, 2, 6), " y"),
			},
			want:    "FROM a\nRUN x y\n",
			applied: []string{"DV100", "DV100"},
		},
		{
			name:     "CRLF file: new lines get CRLF, columns stop before the CR",
			src:      "FROM a\r\nRUN x\r\n",
			findings: []finding.Finding{fixOf("DV100", rng(2, 6, 2, 99), " \\\n && y")},
			want:     "FROM a\r\nRUN x \\\r\n && y\r\n",
			applied:  []string{"DV100"},
		},
		{
			name:     "BOM: column 1 of line 1 is after it",
			src:      "\xef\xbb\xbffrom a\n",
			findings: []finding.Finding{fixOf("DV100", rng(1, 1, 1, 5), "FROM")},
			want:     "\xef\xbb\xbfFROM a\n",
			applied:  []string{"DV100"},
		},
		{
			name:     "columns count characters, not bytes",
			src:      "FROM a\nLABEL x=\"é\" y\n",
			findings: []finding.Finding{fixOf("DV100", rng(2, 13, 2, 14), "z")},
			want:     "FROM a\nLABEL x=\"é\" z\n",
			applied:  []string{"DV100"},
		},
		{
			name:     "an edit outside the file is not applied",
			src:      "FROM a\n",
			findings: []finding.Finding{fixOf("DV100", rng(7, 1, 7, 2), "x")},
			want:     "FROM a\n",
		},
		{
			name: "a fix whose own edits overlap is not applied",
			src:  "FROM a\nRUN abc\n",
			findings: []finding.Finding{{RuleID: "DV100", Fix: &finding.Fix{Edits: []finding.Edit{
				{Range: rng(2, 5, 2, 7), NewText: "x"}, {Range: rng(2, 6, 2, 8), NewText: "y"}}}}},
			want: "FROM a\nRUN abc\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, applied := Apply([]byte(tt.src), tt.findings)
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			var ids []string
			for _, f := range applied {
				ids = append(ids, f.RuleID)
			}
			if len(ids) != len(tt.applied) {
				t.Fatalf("applied %v, want %v", ids, tt.applied)
			}
			for i := range ids {
				if ids[i] != tt.applied[i] {
					t.Fatalf("applied %v, want %v", ids, tt.applied)
				}
			}
		})
	}
}

package fix

import (
	"context"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
	"github.com/dockvet/dockvet/rules"
)

// linterFor lints with the given rules, as the CLI does with all of them.
func linterFor(t *testing.T, rs []*rule.Rule, enable ...string) Linter {
	t.Helper()
	var refs []engine.RuleRef
	for _, n := range enable {
		refs = append(refs, engine.RuleRef{Name: n})
	}
	eng, err := engine.New(rs, engine.Settings{Layers: []engine.Layer{{Enable: refs}}})
	if err != nil {
		t.Fatal(err)
	}
	return func(src []byte) ([]finding.Finding, *dockerfile.File, error) {
		return eng.LintFileContext(context.Background(), engine.Input{Name: "Dockerfile", Src: src}, dockerfile.Options{})
	}
}

func TestRunFixesUntilNothingApplies(t *testing.T) {
	lint := linterFor(t, rules.All())
	tests := []struct {
		name, src, want string
		passes          int
	}{
		{
			name:   "independent fixes in one pass",
			src:    "FROM debian:12\nVOLUME [/data]\nCMD node server.js\n",
			want:   "FROM debian:12\nVOLUME [\"/data\"]\nCMD [\"node\", \"server.js\"]\n",
			passes: 1,
		},
		{
			name:   "nothing to fix",
			src:    "FROM debian:12\nCMD [\"node\"]\n",
			want:   "FROM debian:12\nCMD [\"node\"]\n",
			passes: 0,
		},
		{
			name:   "a file with a syntax error is never changed",
			src:    "FROM debian:12\nVOLUME [/data]\nRUNN x\n",
			want:   "FROM debian:12\nVOLUME [/data]\nRUNN x\n",
			passes: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run([]byte(tt.src), lint, nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Src) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", res.Src, tt.want)
			}
			if res.Passes != tt.passes {
				t.Errorf("%d passes, want %d", res.Passes, tt.passes)
			}
			for _, f := range res.Findings {
				if f.Fix != nil && !res.SyntaxErrors {
					t.Errorf("a fixable finding remains: %s %s", f.RuleID, f.Message)
				}
			}
			again, err := Run(res.Src, lint, nil)
			if err != nil {
				t.Fatal(err)
			}
			if again.Changed() {
				t.Errorf("a second run changed the file:\n%s", again.Src)
			}
		})
	}
}

// testRule is a rule whose fix is whatever fixFor returns for each FROM.
func testRule(id string, fixFor func(in *dockerfile.Instruction, f *dockerfile.File) *finding.Fix) *rule.Rule {
	return &rule.Rule{ID: id, Name: "test-" + strings.ToLower(id), Severity: finding.SeverityWarning, Summary: "test",
		Check: func(p *rule.Pass) {
			for _, in := range p.File.Instructions {
				if in.Keyword != "FROM" {
					continue
				}
				if fx := fixFor(in, p.File); fx != nil {
					p.Report(rule.Diagnostic{Range: in.Range, Message: "test", Fix: fx})
				}
			}
		}}
}

func TestRunDropsUnsafeFixes(t *testing.T) {
	edit := func(l1, c1, l2, c2 int, text string) *finding.Fix {
		return &finding.Fix{Description: "test", Edits: []finding.Edit{{Range: source.Range{Start: source.Pos{Line: l1, Col: c1}, End: source.Pos{Line: l2, Col: c2}}, NewText: text}}}
	}
	tests := []struct {
		name string
		fix  func(in *dockerfile.Instruction, f *dockerfile.File) *finding.Fix
	}{
		{
			// The edit is on FROM's line but changes the next instruction
			// too: it joins them.
			name: "edits an instruction it does not touch",
			fix: func(in *dockerfile.Instruction, f *dockerfile.File) *finding.Fix {
				if strings.Contains(f.Lines[0], "\\") {
					return nil
				}
				return edit(1, len(f.Lines[0])+1, 1, len(f.Lines[0])+1, " \\")
			},
		},
		{
			name: "breaks the syntax",
			fix: func(in *dockerfile.Instruction, f *dockerfile.File) *finding.Fix {
				if f.Lines[0] == "FROM" {
					return nil
				}
				return edit(1, 5, 1, len(f.Lines[0])+1, "")
			},
		},
		{
			name: "changes the escape character",
			fix: func(in *dockerfile.Instruction, f *dockerfile.File) *finding.Fix {
				if strings.HasPrefix(f.Lines[0], "# escape") {
					return nil
				}
				return edit(1, 1, 1, 1, "# escape=`\n")
			},
		},
	}
	const src = "FROM debian:12\nRUN echo \\\n  hi\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lint := linterFor(t, []*rule.Rule{testRule("DV999", tt.fix)})
			res, err := Run([]byte(src), lint, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Changed() || string(res.Src) != src {
				t.Errorf("an unsafe fix was applied:\n%s", res.Src)
			}
			if len(res.Dropped) != 1 || !IsUnsafe(res.Dropped[0].Err) {
				t.Fatalf("dropped %v, want the one fix", res.Dropped)
			}
		})
	}
}

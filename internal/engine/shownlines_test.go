package engine

import (
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// Credentials in a known format never reach the output through the source
// lines formats print under findings: they are masked to the same length
// (columns stay right) whichever rule points at the line.
func TestShownLinesMaskCredentials(t *testing.T) {
	const token = "ghp_R8kq2Lz7XwP4mN9vT1sY6bH3cJ0fD5gA2eKu"
	src := "FROM alpine:3.20\nARG GITHUB_TOKEN=" + token + "\n"
	e, err := New([]*rule.Rule{{ID: "T", Name: "t", Severity: finding.SeverityWarning, Check: func(p *rule.Pass) { p.Reportf(p.File.Instructions[1].KeywordRange, "x") }}}, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	res := e.Lint([]Input{{Name: "D", Src: []byte(src)}}, dockerfile.Options{})
	lines := res.Sources["D"]
	if len(lines) != 2 {
		t.Fatalf("sources %q", lines)
	}
	want := "ARG GITHUB_TOKEN=ghp_" + strings.Repeat("*", len(token)-4)
	if lines[1] != want {
		t.Errorf("line 2 shown as %q, want %q", lines[1], want)
	}
	for _, f := range res.Findings {
		if strings.Contains(f.Message, token[4:]) {
			t.Errorf("%s message holds the token: %s", f.RuleID, f.Message)
		}
	}
}

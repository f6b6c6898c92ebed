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

// A token split over a continuation, and a private key's body under its
// BEGIN line, are masked in the printed lines too (each half alone matches
// no format).
func TestShownLinesMaskSplitCredentials(t *testing.T) {
	const token = "ghp_R8kq2Lz7XwP4mN9vT1sY6bH3cJ0fD5gA2eKu"
	body := strings.Repeat("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", 2)
	tests := []struct {
		name, src string
		secret    []string
	}{
		{"continuation", "FROM alpine:3.20\nENV GITHUB_TOKEN=" + token[:10] + "\\\n" + token[10:] + "\n", []string{token[10:]}},
		{"pem heredoc", "FROM alpine:3.20\nRUN <<EOF\ncat > /k <<KEY\n-----BEGIN OPENSSH PRIVATE KEY-----\n" + body[:64] + "\n" + body[64:] + "\n-----END OPENSSH PRIVATE KEY-----\nKEY\nEOF\n", []string{body[:64], body[64:]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New([]*rule.Rule{{ID: "T", Name: "t", Severity: finding.SeverityWarning, Check: func(p *rule.Pass) { p.Reportf(p.File.Instructions[1].KeywordRange, "x") }}}, Settings{})
			if err != nil {
				t.Fatal(err)
			}
			res := e.Lint([]Input{{Name: "D", Src: []byte(tt.src)}}, dockerfile.Options{})
			lines := res.Sources["D"]
			if len(lines) < 3 {
				t.Fatalf("sources %q", lines)
			}
			for i, l := range lines {
				for _, s := range tt.secret {
					if strings.Contains(l, s) {
						t.Errorf("line %d shows %q: %q", i+1, s, l)
					}
				}
			}
		})
	}
}

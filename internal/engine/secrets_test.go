package engine

import (
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// echoRule quotes the final stage's expanded FROM reference in its message
// and in a related message, as rules naming a base image do.
var echoRule = &rule.Rule{ID: "T7", Name: "echo", Severity: finding.SeverityWarning,
	Check: func(p *rule.Pass) {
		chain := p.File.FinalChain()
		ref := chain[0].Base
		p.Report(rule.Diagnostic{Range: ref.Range, Message: "base " + ref.Expanded,
			Related: []finding.Related{{Range: ref.Range, Message: "named " + ref.Expanded}}})
	}}

// TestSecretsRedactedInEveryMessage: Settings.Secrets are masked as *** in
// findings' messages and related messages and in file errors, longest
// value first; values shorter than MinSecretLen are left alone.
func TestSecretsRedactedInEveryMessage(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		args    map[string]string
		src     string
		want    string // the finding's message, or the file error
	}{
		{"message and related", []string{"tok-12345"}, map[string]string{"T": "tok-12345"}, "ARG T\nFROM x.example/a:${T}\n", "base x.example/a:***"},
		{"longest first", []string{"abcd", "abcdefgh"}, map[string]string{"T": "abcdefgh"}, "ARG T\nFROM x.example/a:${T}\n", "base x.example/a:***"},
		{"too short to redact", []string{"v1"}, map[string]string{"T": "v1"}, "ARG T\nFROM x.example/a:${T}\n", "base x.example/a:v1"},
		{"no secrets", nil, map[string]string{"T": "tok-12345"}, "ARG T\nFROM x.example/a:${T}\n", "base x.example/a:tok-12345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New([]*rule.Rule{echoRule}, Settings{Secrets: tt.secrets})
			if err != nil {
				t.Fatal(err)
			}
			res := e.Lint([]Input{{Name: "Dockerfile", Src: []byte(tt.src)}}, dockerfile.Options{BuildArgs: tt.args})
			if len(res.Findings) != 1 || len(res.Findings[0].Related) != 1 {
				t.Fatalf("findings %+v, errors %+v", res.Findings, res.Errors)
			}
			f := res.Findings[0]
			if f.Message != tt.want {
				t.Errorf("message %q, want %q", f.Message, tt.want)
			}
			if want := strings.Replace(tt.want, "base ", "named ", 1); f.Related[0].Message != want {
				t.Errorf("related message %q, want %q", f.Related[0].Message, want)
			}
		})
	}
	t.Run("file error", func(t *testing.T) {
		e, err := New([]*rule.Rule{echoRule}, Settings{Secrets: []string{"tok-12345"}})
		if err != nil {
			t.Fatal(err)
		}
		res := e.Lint([]Input{{Name: "Dockerfile", Src: []byte("FROM a\n")}}, dockerfile.Options{Target: "tok-12345"})
		if len(res.Errors) != 1 || strings.Contains(res.Errors[0].Message, "tok-12345") || !strings.Contains(res.Errors[0].Message, "***") {
			t.Errorf("errors %+v: want one that shows *** for the secret", res.Errors)
		}
	})
}

package bkcheck_test

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/fix"
	"github.com/dockvet/dockvet/rules"
)

// TestLegacyKeyValueFixKeepsValues rewrites legacy `ENV key value` lines
// and checks with BuildKit's parser and shell lexer that every variable
// gets the same value, or that no fix is offered.
func TestLegacyKeyValueFixKeepsValues(t *testing.T) {
	tests := []struct {
		line  string
		fixed string // "" when no fix is safe
	}{
		{`ENV A /srv/app`, `ENV A=/srv/app`},
		{`ENV A hello   world`, `ENV A="hello   world"`},
		{`ENV A "hello world"`, `ENV A="hello world"`},
		{`ENV A 'single $quoted'`, `ENV A='single $quoted'`},
		{`ENV A C:\\gopath`, `ENV A=C:\\gopath`},
		{`ENV A a\ b`, `ENV A=a\ b`},
		{`ENV A ${B}/bin:$PATH`, `ENV A=${B}/bin:$PATH`},
		{`ENV A C:\\Program Files\\x`, ""},
		{`ENV A "a" b`, ""},
		{`LABEL maintainer "Jane Doe"`, `LABEL maintainer="Jane Doe"`},
	}
	eng, err := engine.New(rules.All(), engine.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	lint := func(src []byte) ([]finding.Finding, *dockerfile.File, error) {
		return eng.LintFileContext(context.Background(), engine.Input{Name: "Dockerfile", Src: src}, dockerfile.Options{})
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			src := "FROM alpine:3.20\nENV B=/opt\n" + tt.line + "\n"
			res, err := fix.Run([]byte(src), lint, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Split(string(res.Src), "\n")[2]
			want := tt.fixed
			if want == "" {
				want = tt.line
			}
			if got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
			if a, b := values(t, src), values(t, string(res.Src)); a != b {
				t.Errorf("values differ: %s, fixed %s", a, b)
			}
		})
	}
}

// values is what BuildKit makes of the last instruction's pairs, expanded
// with B=/opt.
func values(t *testing.T, src string) string {
	t.Helper()
	res, err := parser.Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	node := res.AST.Children[len(res.AST.Children)-1]
	cmd, err := instructions.ParseInstruction(node)
	if err != nil {
		t.Fatal(err)
	}
	var kvs []string
	switch c := cmd.(type) {
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			kvs = append(kvs, kv.Key, kv.Value)
		}
	case *instructions.LabelCommand:
		for _, kv := range c.Labels {
			kvs = append(kvs, kv.Key, kv.Value)
		}
	}
	lex := shell.NewLex('\\')
	env := shell.EnvsFromSlice([]string{"B=/opt", "PATH=/bin"})
	var out []string
	for _, w := range kvs {
		v, _, err := lex.ProcessWord(w, env)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return strings.Join(out, "|")
}

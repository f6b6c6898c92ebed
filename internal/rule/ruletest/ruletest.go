// Package ruletest runs one rule on Dockerfile source text for tests.
package ruletest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
)

// Run parses src and runs r on it, returning its diagnostics in report order.
func Run(t testing.TB, r *rule.Rule, src string, opts dockerfile.Options) []rule.Diagnostic {
	t.Helper()
	f, err := dockerfile.Parse("Dockerfile", []byte(src), opts)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var out []rule.Diagnostic
	known := func(string) bool { return true }
	r.Check(rule.NewPass(r, f, known, func(d rule.Diagnostic) { out = append(out, d) }))
	return out
}

// Lines formats diagnostics as "line:col-endLine:endCol message", in report
// order, for compact table-driven assertions.
func Lines(ds []rule.Diagnostic) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%d:%d-%d:%d %s", d.Range.Start.Line, d.Range.Start.Col, d.Range.End.Line, d.Range.End.Col, d.Message)
	}
	return out
}

// WantMessage checks a table row's message: when the rule reported
// something, the first diagnostic's message must contain want. An empty want
// is contained in every message, so the check could never fail: a row that
// expects a finding must name part of its message, and WantMessage fails the
// test when it does not (quoting the message to pick a part from). A row that
// expects no finding passes want "".
func WantMessage(t testing.TB, ds []rule.Diagnostic, want string) {
	t.Helper()
	switch {
	case len(ds) == 0 && want != "":
		t.Errorf("no diagnostic, but a message containing %q was expected", want)
	case len(ds) == 0:
	case want == "":
		t.Errorf("the row expects a finding but gives no expected message, so its message is never checked; want a part of %q", ds[0].Message)
	case !strings.Contains(ds[0].Message, want):
		t.Errorf("message %q does not contain %q", ds[0].Message, want)
	}
}

// Positions formats only the ranges, "line:col-endLine:endCol", in report order.
func Positions(ds []rule.Diagnostic) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%d:%d-%d:%d", d.Range.Start.Line, d.Range.Start.Col, d.Range.End.Line, d.Range.End.Col)
	}
	return out
}

// RunBases is Run with base images: bases answers the lookup of each
// external FROM reference of the final image by its expanded text.
func RunBases(t testing.TB, r *rule.Rule, src string, opts dockerfile.Options, bases func(ref string) (*image.Image, error)) []rule.Diagnostic {
	t.Helper()
	f, err := dockerfile.Parse("Dockerfile", []byte(src), opts)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var out []rule.Diagnostic
	pass := rule.NewPass(r, f, func(string) bool { return true }, func(d rule.Diagnostic) { out = append(out, d) })
	pass.Bases = declaredBaseLookup(t, r, bases)
	r.Check(pass)
	return out
}

// declaredBaseLookup wraps a test's base lookup so that a rule reading base
// images without declaring NeedsBase fails its test: the engine gives such a
// rule no lookup unless some other enabled rule needs one, so its findings
// would change with unrelated --ignore choices.
func declaredBaseLookup(t testing.TB, r *rule.Rule, bases func(ref string) (*image.Image, error)) rule.BaseLookup {
	return func(ref *dockerfile.ImageRef) (*image.Image, error) {
		if !r.NeedsBase && !r.NeedsStageBases {
			t.Errorf("%s reads the base image %s but does not declare NeedsBase: the engine looks bases up only for rules that declare it", r, ref.Expanded)
		}
		return bases(ref.Expanded)
	}
}

// Env is what a rule may read besides the Dockerfile.
type Env struct {
	// Context is the build context (nil: none).
	Context *buildctx.Context
	// Bases answers base-image lookups by expanded reference (nil: none).
	Bases func(ref string) (*image.Image, error)
	// Limits are the size thresholds (zero: defaults).
	Limits rule.Limits
}

// RunEnv is Run with a build context, base images and limits.
func RunEnv(t testing.TB, r *rule.Rule, src string, opts dockerfile.Options, env Env) []rule.Diagnostic {
	t.Helper()
	f, err := dockerfile.Parse("Dockerfile", []byte(src), opts)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var out []rule.Diagnostic
	pass := rule.NewPass(r, f, func(string) bool { return true }, func(d rule.Diagnostic) { out = append(out, d) })
	if env.Bases != nil {
		pass.Bases = declaredBaseLookup(t, r, env.Bases)
	}
	pass.Context = env.Context
	pass.Limits = env.Limits
	r.Check(pass)
	return out
}

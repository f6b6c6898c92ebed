package rule_test

import (
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
)

// Two passes that share a store run an analysis once; a pass with a store
// of its own runs it again.
func TestResultOfRunsOncePerShared(t *testing.T) {
	f, err := dockerfile.Parse("Dockerfile", []byte("FROM alpine\n"), dockerfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	runs := 0
	count := &rule.Analysis[int]{Name: "count", Run: func(p *rule.Pass) int { runs++; return len(p.File.Instructions) }}
	shared := rule.NewShared()
	for range 3 {
		p := rule.NewPass(&rule.Rule{ID: "T"}, f, nil, func(rule.Diagnostic) {})
		p.Share(shared)
		if got := rule.ResultOf(p, count); got != 1 {
			t.Fatalf("result %d, want 1", got)
		}
	}
	if runs != 1 {
		t.Errorf("shared analysis ran %d times, want 1", runs)
	}
	rule.ResultOf(rule.NewPass(&rule.Rule{ID: "T"}, f, nil, func(rule.Diagnostic) {}), count)
	if runs != 2 {
		t.Errorf("a pass without a shared store reused another's result (runs %d, want 2)", runs)
	}
}

// Analyses in one store keep their own results, whatever their types.
func TestResultOfKeepsEachAnalysis(t *testing.T) {
	f, err := dockerfile.Parse("Dockerfile", []byte("FROM alpine\n"), dockerfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	one := &rule.Analysis[int]{Name: "one", Run: func(*rule.Pass) int { return 1 }}
	two := &rule.Analysis[int]{Name: "two", Run: func(*rule.Pass) int { return 2 }}
	name := &rule.Analysis[string]{Name: "name", Run: func(p *rule.Pass) string { return p.File.Name }}
	p := rule.NewPass(&rule.Rule{ID: "T"}, f, nil, func(rule.Diagnostic) {})
	p.Share(rule.NewShared())
	for range 2 {
		if a, b, n := rule.ResultOf(p, one), rule.ResultOf(p, two), rule.ResultOf(p, name); a != 1 || b != 2 || n != "Dockerfile" {
			t.Fatalf("results %d, %d, %q; want 1, 2, Dockerfile", a, b, n)
		}
	}
}

package ruletest

import (
	"fmt"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
)

// errorRecorder is a testing.TB that records Errorf instead of failing.
type errorRecorder struct {
	testing.TB
	errors []string
}

func (r *errorRecorder) Helper() {}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestBaseHelpersRequireNeedsBase: RunBases and RunEnv fail the test of a
// rule that reads base images without declaring NeedsBase, and accept one
// that declares it or does not read them.
func TestBaseHelpersRequireNeedsBase(t *testing.T) {
	readsBase := func(pass *rule.Pass) { _, _, _ = pass.FinalBase() }
	ignoresBase := func(*rule.Pass) {}
	bases := func(ref string) (*image.Image, error) { return &image.Image{Ref: ref}, nil }
	run := map[string]func(testing.TB, *rule.Rule){
		"RunBases": func(tb testing.TB, r *rule.Rule) { RunBases(tb, r, "FROM a:1\n", dockerfile.Options{}, bases) },
		"RunEnv": func(tb testing.TB, r *rule.Rule) {
			RunEnv(tb, r, "FROM a:1\n", dockerfile.Options{}, Env{Bases: bases})
		},
	}
	tests := []struct {
		name      string
		check     func(*rule.Pass)
		needsBase bool
		wantFail  bool
	}{
		{"reads without declaring", readsBase, false, true},
		{"reads and declares", readsBase, true, false},
		{"does not read", ignoresBase, false, false},
	}
	for helper, fn := range run {
		for _, tt := range tests {
			t.Run(helper+"/"+tt.name, func(t *testing.T) {
				rec := &errorRecorder{TB: t}
				fn(rec, &rule.Rule{ID: "DV999", Name: "test", NeedsBase: tt.needsBase, Check: tt.check})
				if failed := len(rec.errors) > 0; failed != tt.wantFail {
					t.Errorf("test failed = %v (%q), want %v", failed, rec.errors, tt.wantFail)
				}
			})
		}
	}
}

package engine

import (
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/rule"
)

// cancelAwareResolver answers only once its context ends, then yields a
// bounded number of times before it returns, so that a caller that does
// not wait for it returns first.
type cancelAwareResolver struct {
	started, returned atomic.Int32
}

func (c *cancelAwareResolver) Resolve(ctx context.Context, reqs []registry.Request) []registry.Result {
	c.started.Add(1)
	<-ctx.Done()
	for range 1000 {
		runtime.Gosched()
	}
	out := make([]registry.Result, len(reqs))
	for i, q := range reqs {
		out[i] = registry.Result{Err: &registry.Error{Ref: q.Ref, Reason: registry.ReasonTimeout, Err: ctx.Err()}}
	}
	c.returned.Add(1)
	return out
}

// needsBaseSilent declares NeedsBase but never reads the base: the engine
// starts the lookup and nothing waits for its answer.
var needsBaseSilent = &rule.Rule{ID: "T8", Name: "needs-base-silent", Severity: finding.SeverityWarning, NeedsBase: true,
	Check: func(*rule.Pass) {}}

// TestLintFileContextCancelsAndWaitsForLookups: LintFileContext runs base
// lookups under the caller's context (a cancelled one ends them, and a rule
// reading the base sees the timeout), and returns only after every lookup
// it started has returned, whether or not a rule read its answer.
func TestLintFileContextCancelsAndWaitsForLookups(t *testing.T) {
	tests := []struct {
		name  string
		rules []*rule.Rule
		want  string // part of the one finding's message; "" for none
	}{
		{"a rule reads the base", []*rule.Rule{baseUser}, "timeout"},
		{"no rule reads the base", []*rule.Rule{needsBaseSilent}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &cancelAwareResolver{}
			e, err := New(tt.rules, Settings{Bases: res})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			fs, _, err := e.LintFileContext(ctx, Input{Name: "Dockerfile", Src: []byte("FROM team/base:1\n")}, dockerfile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if s, r := res.started.Load(), res.returned.Load(); s != 1 || r != 1 {
				t.Errorf("lookups started %d, returned %d when LintFileContext returned; want 1 and 1", s, r)
			}
			switch {
			case tt.want == "" && len(fs) != 0:
				t.Errorf("findings %+v, want none", fs)
			case tt.want != "" && (len(fs) != 1 || !strings.Contains(fs[0].Message, tt.want)):
				t.Errorf("findings %+v, want one containing %q", fs, tt.want)
			}
		})
	}
}

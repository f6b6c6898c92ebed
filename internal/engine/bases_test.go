package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/rule"
)

// countingResolver answers every request with an image whose user is the
// reference, and counts the requests it receives.
type countingResolver struct {
	mu    sync.Mutex
	calls map[registry.Request]int
}

func (c *countingResolver) Resolve(_ context.Context, reqs []registry.Request) []registry.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]registry.Result, len(reqs))
	for i, q := range reqs {
		c.calls[q]++
		if q.Ref == "missing:1" {
			out[i] = registry.Result{Err: &registry.Error{Ref: q.Ref, Reason: registry.ReasonNotFound}}
			continue
		}
		out[i] = registry.Result{Image: &image.Image{Ref: q.Ref, User: q.Ref + "@" + q.Platform}}
	}
	return out
}

// baseUser reports, on each file's first instruction, what the rule sees as
// the final image's base.
var baseUser = &rule.Rule{ID: "T9", Name: "base-user", Severity: finding.SeverityWarning, NeedsBase: true,
	Check: func(p *rule.Pass) {
		chain := p.File.FinalChain()
		img, ref, err := p.BaseImage(chain[len(chain)-1])
		switch {
		case err != nil:
			p.Reportf(p.File.Instructions[0].Range, "error %v", err)
		case img != nil:
			p.Reportf(p.File.Instructions[0].Range, "user %s of %s", img.User, ref.Expanded)
		default:
			p.Reportf(p.File.Instructions[0].Range, "none")
		}
	}}

func TestLintResolvesEachBaseOnce(t *testing.T) {
	res := &countingResolver{calls: map[registry.Request]int{}}
	e, err := New([]*rule.Rule{baseUser}, Settings{Bases: res})
	if err != nil {
		t.Fatal(err)
	}
	var inputs []Input
	for i := range 100 {
		inputs = append(inputs, Input{Name: fmt.Sprintf("f%03d", i), Src: fmt.Appendf(nil, "FROM base%d:1 AS b\nRUN true\nFROM b\n", i%5)})
	}
	inputs = append(inputs,
		Input{Name: "g1", Src: []byte("FROM builder:1 AS build\nFROM --platform=linux/arm64 base0:1\n")},
		Input{Name: "g2", Src: []byte("FROM scratch\nCOPY x /x\n")},
		Input{Name: "g3", Src: []byte("ARG X\nFROM ${X}\n")},
		Input{Name: "g4", Src: []byte("FROM missing:1\n")},
	)
	out := e.Lint(inputs, dockerfile.Options{Platform: "linux/amd64"})
	if len(out.Errors) > 0 {
		t.Fatalf("errors: %v", out.Errors)
	}
	want := map[registry.Request]int{
		{Ref: "base0:1", Platform: "linux/amd64"}: 1, {Ref: "base1:1", Platform: "linux/amd64"}: 1,
		{Ref: "base2:1", Platform: "linux/amd64"}: 1, {Ref: "base3:1", Platform: "linux/amd64"}: 1,
		{Ref: "base4:1", Platform: "linux/amd64"}: 1, {Ref: "base0:1", Platform: "linux/arm64"}: 1,
		{Ref: "missing:1", Platform: "linux/amd64"}: 1,
	}
	if fmt.Sprint(res.calls) != fmt.Sprint(want) {
		t.Errorf("requests %v, want %v (builder:1 is a builder stage and must not be fetched)", res.calls, want)
	}
	msgs := map[string]string{}
	for _, f := range out.Findings {
		msgs[f.File] = f.Message
	}
	for file, want := range map[string]string{
		"f007": "user base2:1@linux/amd64 of base2:1",
		"g1":   "user base0:1@linux/arm64 of base0:1",
		"g2":   "none",
		"g3":   "none",
		"g4":   "error missing:1: not found",
	} {
		if msgs[file] != want {
			t.Errorf("%s: %q, want %q", file, msgs[file], want)
		}
	}
}

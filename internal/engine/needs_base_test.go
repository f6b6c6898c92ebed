package engine_test

import (
	"context"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/rules"
)

// envBases answers every reference with an image whose Env sets APP.
type envBases struct{}

func (envBases) Resolve(_ context.Context, reqs []registry.Request) []registry.Result {
	out := make([]registry.Result, len(reqs))
	for i, q := range reqs {
		out[i] = registry.Result{Image: &image.Image{Ref: q.Ref, OS: "linux", Architecture: "amd64", Env: []string{"APP=/opt/app"}}}
	}
	return out
}

// TestFindingsDoNotDependOnIgnoredNeedsBaseRules: DV404 reads the base
// image's Env (a RUN's $APP), so it must declare NeedsBase; before it did,
// ignoring every other rule that declared it left DV404 without a base lookup
// and changed its findings.
func TestFindingsDoNotDependOnIgnoredNeedsBaseRules(t *testing.T) {
	src := "FROM team/base:1\nCOPY big.bin $APP/big.bin\nRUN rm -f $APP/big.bin\n"
	count := func(ignore []string) int {
		var l engine.Layer
		for _, n := range ignore {
			l.Ignore = append(l.Ignore, engine.RuleRef{Name: n})
		}
		e, err := engine.New(rules.All(), engine.Settings{Bases: envBases{}, Layers: []engine.Layer{l}})
		if err != nil {
			t.Fatal(err)
		}
		res := e.Lint([]engine.Input{{Name: "Dockerfile", Src: []byte(src)}}, dockerfile.Options{})
		n := 0
		for _, f := range res.Findings {
			if f.RuleID == "DV404" {
				n++
			}
		}
		return n
	}
	var needs []string
	for _, r := range rules.All() {
		if r.NeedsBase && r.ID != "DV404" {
			needs = append(needs, r.ID)
		}
	}
	all, only := count(nil), count(needs)
	if all != 1 || only != 1 {
		t.Errorf("DV404 findings: %d with every rule, %d with the other NeedsBase rules ignored; want 1 and 1", all, only)
	}
}

package rules

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
)

// TestRulesDeclareNeedsBase runs every rule on the fixtures in
// testdata/needsbase with a base lookup that records whether it was called,
// and requires a rule to declare NeedsBase exactly when it called it. The
// engine looks base images up only when an enabled rule declares NeedsBase,
// so a rule that reads them without declaring it reports differently
// depending on which unrelated rules are enabled (DV404 did, through the
// base image's Env); a rule that declares it without reading makes the
// engine look bases up for nothing.
func TestRulesDeclareNeedsBase(t *testing.T) {
	fixtures, err := filepath.Glob(filepath.Join("testdata", "needsbase", "*.Dockerfile"))
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	bases := maps.Clone(testBases)
	// base_env_paths.Dockerfile names its paths through $APP, which only
	// the base image's Env sets.
	bases["team/base:1"] = &image.Image{Ref: "team/base:1", OS: "linux", User: "1000", Env: []string{"APP=/opt/app"}}
	lookup := baseImages(bases)
	called := map[string]bool{}
	for _, name := range fixtures {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := dockerfile.Parse(filepath.Base(name), src, dockerfile.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, r := range All() {
			if r.Check == nil {
				continue
			}
			pass := rule.NewPass(r, f, func(string) bool { return true }, func(rule.Diagnostic) {})
			pass.Bases = func(ref *dockerfile.ImageRef) (*image.Image, error) {
				called[r.ID] = true
				return lookup(ref.Expanded)
			}
			r.Check(pass)
		}
	}
	for _, r := range All() {
		if declared := r.NeedsBase || r.NeedsStageBases; r.Check != nil && called[r.ID] != declared {
			t.Errorf("%s: reads base images = %v, NeedsBase or NeedsStageBases = %v", r, called[r.ID], declared)
		}
	}
}

package rules

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/fix"
)

var updateFixes = flag.Bool("update-fixes", false, "rewrite testdata/fix/*.fixed")

// TestFixes runs every rule's fixes over testdata/fix/NAME.Dockerfile as
// `dockvet lint --fix` does and compares with NAME.fixed (the same text
// when no fix is safe). Each case must also be idempotent and leave no
// finding that carries a fix.
func TestFixes(t *testing.T) {
	eng, err := engine.New(All(), engine.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	lint := func(src []byte) ([]finding.Finding, *dockerfile.File, error) {
		return eng.LintFileContext(context.Background(), engine.Input{Name: "Dockerfile", Src: src}, dockerfile.Options{})
	}
	inputs, _ := filepath.Glob(filepath.Join("testdata", "fix", "*.Dockerfile"))
	if len(inputs) == 0 {
		t.Fatal("no cases")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".Dockerfile")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			res, err := fix.Run(src, lint, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range res.Dropped {
				t.Errorf("unsafe fix of %s dropped: %v", d.Finding.RuleID, d.Err)
			}
			golden := strings.TrimSuffix(in, ".Dockerfile") + ".fixed"
			if *updateFixes {
				if err := os.WriteFile(golden, res.Src, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(res.Src, want) {
				t.Errorf("fixed text differs (-update-fixes rewrites it):\n%s", res.Src)
			}
			if strings.HasSuffix(name, "-not-fixed") != bytes.Equal(res.Src, src) {
				t.Errorf("a case named -not-fixed must be left alone, and only such a case")
			}
			if !res.SyntaxErrors {
				for _, f := range res.Findings {
					if f.Fix != nil {
						t.Errorf("%s still offers a fix after fixing: %s", f.RuleID, f.Message)
					}
				}
			}
			again, err := fix.Run(res.Src, lint, nil)
			if err != nil {
				t.Fatal(err)
			}
			if again.Changed() {
				t.Errorf("a second run changed the file:\n%s", again.Src)
			}
		})
	}
}

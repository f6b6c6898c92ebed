package main

import (
	"slices"
	"testing"
)

// The Node.js examples of `make demo`: the single-stage service shows the
// mistakes behind its 3 GB image (DV413 compilers shipped, DV414 the install
// re-run by every edit), and its multi-stage version is clean.
func TestNodeExamples(t *testing.T) {
	code, got, stderr := lintJSON(t, "--ignore", "DV302", "examples/node-bad/Dockerfile")
	for _, want := range []string{"node-bad DV413", "node-bad DV414", "node-bad DV300", "node-bad DV400"} {
		if !slices.Contains(got, want) {
			t.Errorf("no %q in %v\n%s", want, got, stderr)
		}
	}
	if code != 1 {
		t.Errorf("node-bad: exit %d, want 1", code)
	}
	code, got, stderr = lintJSON(t, "examples/node-good/Dockerfile")
	if code != 0 || len(got) != 0 {
		t.Errorf("node-good: exit %d, findings %v\n%s", code, got, stderr)
	}
}

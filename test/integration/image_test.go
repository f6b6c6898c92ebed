//go:build integration

package integration

import (
	"strings"
	"testing"
)

// Case 8: `dockvet image REF` lints a pushed image. The subcommand is part
// of the product: a binary without it fails the test (it used to skip it,
// even with DOCKVET_INTEGRATION_REQUIRED set).
func TestImageSubcommand(t *testing.T) {
	hh := h(t)
	if r := hh.dockvet(t, runOpts{dir: t.TempDir()}, "image", "--help"); r.code != 0 {
		t.Fatalf("`dockvet image --help` exited %d: %s", r.code, strings.TrimSpace(r.stderr))
	}

	t.Run("root image with a volume", func(t *testing.T) {
		r := hh.dockvet(t, runOpts{dir: t.TempDir()}, "image", "-f", "json", hh.ref(repoBase))
		rep := parseReport(t, r)
		requireResolved(t, rep, r)
		requireFinding(t, rep, "DV302", 0)
		vol := false
		for _, f := range rep.Findings {
			vol = vol || strings.Contains(f.Message, "/var/lib/data")
		}
		if !vol {
			t.Errorf("no finding names the image's VOLUME /var/lib/data:\n%s", rep)
		}
		requireExit(t, r, 1)
	})

	t.Run("non-root image", func(t *testing.T) {
		r := hh.dockvet(t, runOpts{dir: t.TempDir()}, "image", "-f", "json", hh.ref(repoNonroot))
		rep := parseReport(t, r)
		requireResolved(t, rep, r)
		requireNoFinding(t, rep, "DV302", "DV300")
	})

	t.Run("platform", func(t *testing.T) {
		r := hh.dockvet(t, runOpts{dir: t.TempDir()}, "image", "-f", "json", "--platform", "linux/arm64", hh.ref(repoMulti))
		rep := parseReport(t, r)
		requireResolved(t, rep, r)
		requireFinding(t, rep, "DV302", 0)
		if !strings.Contains(r.stdout, "/data/arm64") || strings.Contains(r.stdout, "/data/amd64") {
			t.Errorf("want the arm64 child (VOLUME /data/arm64) only:\n%s", rep)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		r := hh.dockvet(t, runOpts{dir: t.TempDir(), dockerConfig: hh.wrongConfig}, "image", "-f", "json", hh.ref(repoBase))
		if !strings.Contains(strings.ToLower(r.stdout+r.stderr), "unauthorized") {
			t.Errorf("the output does not say unauthorized\n%s", r)
		}
	})
}

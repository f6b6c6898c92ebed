//go:build unix

package rules

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

// TestAddInsteadOfCopyHostileContext: a FIFO, a link out of the context and
// a link to /dev/zero are never read (reading would block, leak or never
// end). The FIFO is left alone; the links resolve inside the context, as in
// BuildKit, to nothing, so they are judged by name: the file outside is a
// tar, which the rule would leave alone had it read it.
func TestAddInsteadOfCopyHostileContext(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, tarBytes(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.txt"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	for name, target := range map[string]string{"out.txt": outside, "zero.txt": "/dev/zero"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, err := buildctx.Open(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for src, want := range map[string]string{
		"pipe.txt": "",
		"out.txt":  "out.txt (not named as a tar archive)",
		"zero.txt": "zero.txt (not named as a tar archive)",
	} {
		t.Run(src, func(t *testing.T) {
			ds := ruletest.RunEnv(t, AddInsteadOfCopy, "FROM alpine:3\nADD "+src+" /opt/\n", dockerfile.Options{}, ruletest.Env{Context: ctx})
			if (len(ds) > 0) != (want != "") {
				t.Fatalf("got %q, want a finding: %v", ruletest.Lines(ds), want != "")
			}
			ruletest.WantMessage(t, ds, want)
		})
	}
}

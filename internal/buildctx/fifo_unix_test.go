//go:build unix

package buildctx

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// within runs fn and fails the test binary when it has not returned after
// d: a regression that blocks on a FIFO or reads /dev/zero without bound
// must fail, not hang the suite or exhaust memory.
func within(t *testing.T, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		panic(t.Name() + ": did not return within " + d.String() + ": it blocks or reads without bound")
	}
}

// TestIgnoreFileNotRegular: an ignore file that is a FIFO, a device or a
// link to one is refused at once with an error naming it, instead of
// blocking forever or reading without end.
func TestIgnoreFileNotRegular(t *testing.T) {
	tests := []struct {
		name       string
		dockerfile string                                // "" for stdin
		make       func(t *testing.T, dir string) string // the ignore file
	}{
		{"fifo", "", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, ".dockerignore")
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatalf("mkfifo: %v", err)
			}
			return p
		}},
		{"fifo beside the Dockerfile", "Dockerfile", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "Dockerfile.dockerignore")
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatalf("mkfifo: %v", err)
			}
			return p
		}},
		{"link to a fifo", "", func(t *testing.T, dir string) string {
			fifo := filepath.Join(t.TempDir(), "pipe")
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Fatalf("mkfifo: %v", err)
			}
			p := filepath.Join(dir, ".dockerignore")
			if err := os.Symlink(fifo, p); err != nil {
				t.Fatal(err)
			}
			return p
		}},
		{"link to dev-zero", "", func(t *testing.T, dir string) string {
			if _, err := os.Stat("/dev/zero"); err != nil {
				t.Skipf("no /dev/zero: %v", err)
			}
			p := filepath.Join(dir, ".dockerignore")
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Fatal(err)
			}
			return p
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tree(t, dir, "Dockerfile", "app/main.go")
			ignore := tc.make(t, dir)
			dockerfile := ""
			if tc.dockerfile != "" {
				dockerfile = filepath.Join(dir, tc.dockerfile)
			}
			if got := IgnoreFile(dir, dockerfile); got != ignore {
				t.Fatalf("IgnoreFile = %q, want %q", got, ignore)
			}
			var err error
			within(t, time.Second, func() { _, err = Open(dir, dockerfile) })
			if err == nil || !strings.Contains(err.Error(), ignore+" is not a regular file") {
				t.Fatalf("Open: %v, want %q is not a regular file", err, ignore)
			}
		})
	}
}

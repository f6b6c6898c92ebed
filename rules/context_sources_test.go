package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/buildctx"
)

const (
	kib = int64(1) << 10
	mib = int64(1) << 20
	gib = int64(1) << 30
)

// testContext builds a build context in a temporary directory and opens it
// for its Dockerfile. Entries: "dir/" a directory, "name -> target" a
// symbolic link, "name=SIZE" a sparse file of SIZE bytes (Truncate, so 300
// MiB costs nothing), "name:content" a file with that content (for
// .dockerignore), anything else a small file.
func testContext(t testing.TB, entries ...string) *buildctx.Context {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, entries...)
	c, err := buildctx.Open(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeTree(t testing.TB, dir string, entries ...string) {
	t.Helper()
	for _, e := range entries {
		mk := func(p string) {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		switch {
		case strings.Contains(e, " -> "):
			name, target, _ := strings.Cut(e, " -> ")
			p := filepath.Join(dir, name)
			mk(p)
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		case strings.HasSuffix(e, "/"):
			if err := os.MkdirAll(filepath.Join(dir, e), 0o755); err != nil {
				t.Fatal(err)
			}
		case strings.Contains(e, ":"):
			name, content, _ := strings.Cut(e, ":")
			p := filepath.Join(dir, name)
			mk(p)
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		case strings.Contains(e, "="):
			name, sz, _ := strings.Cut(e, "=")
			var n int64
			if _, err := fmt.Sscan(sz, &n); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, name)
			mk(p)
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(n); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		default:
			p := filepath.Join(dir, e)
			mk(p)
			if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// sized is "name=N" for a sparse file of n bytes.
func sized(name string, n int64) string { return fmt.Sprintf("%s=%d", name, n) }

// matchAll reports whether every want substring occurs in got, in order.
func matchAll(got string, want []string) bool {
	for _, w := range want {
		i := strings.Index(got, w)
		if i < 0 {
			return false
		}
		got = got[i+len(w):]
	}
	return true
}

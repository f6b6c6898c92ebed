//go:build unix

package registry

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

// TestCacheRefusesHostileEntries: a cache directory may hold what we did not
// write (a shared CI cache, a planted link). A blob that is a link to
// /dev/zero or a FIFO, and a tag entry that is a FIFO, are neither read
// without bound nor waited on: offline they are a cache miss, online the
// image is fetched again and the entry replaced.
func TestCacheRefusesHostileEntries(t *testing.T) {
	srv := newServer(t)
	srv.Push(t, "team/a:1", registrytest.Image(t, registrytest.Spec{User: "a"}))
	ref := srv.Ref("team/a:1")
	plant := []struct {
		name  string
		plant func(t *testing.T, dc *diskCache)
	}{
		{"blobs are links to /dev/zero", func(t *testing.T, dc *diskCache) {
			forEachBlob(t, dc, func(p string) {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink("/dev/zero", p); err != nil {
					t.Fatal(err)
				}
			})
		}},
		{"blobs are FIFOs", func(t *testing.T, dc *diskCache) {
			forEachBlob(t, dc, func(p string) {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				if err := syscall.Mkfifo(p, 0o644); err != nil {
					t.Fatalf("mkfifo: %v", err)
				}
			})
		}},
		{"tag entry is a FIFO", func(t *testing.T, dc *diskCache) {
			p := dc.tagPath(ref)
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatalf("mkfifo: %v", err)
			}
		}},
	}
	for _, tt := range plant {
		t.Run(tt.name, func(t *testing.T) {
			cache := t.TempDir()
			mustResolve(t, newResolver(srv, WithCacheDir(cache)), ref, "")
			dc := &diskCache{dir: cache}
			tt.plant(t, dc)

			_, err := resolveOne(t, newResolver(srv, WithCacheDir(cache), WithOffline(true)), ref, "")
			assertReason(t, err, ReasonOffline)

			srv.Reset()
			if img := mustResolve(t, newResolver(srv, WithCacheDir(cache)), ref, ""); img.User != "a" {
				t.Errorf("user = %q, want a", img.User)
			}
			if srv.Requests().Total() == 0 {
				t.Error("answered from a hostile cache entry")
			}
		})
	}
}

// forEachBlob calls fn with the path of every cached blob.
func forEachBlob(t *testing.T, dc *diskCache, fn func(path string)) {
	t.Helper()
	dir := filepath.Join(dc.dir, "registry", "blobs", "sha256")
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no cached blobs in %s: %v", dir, err)
	}
	for _, e := range entries {
		fn(filepath.Join(dir, e.Name()))
	}
}

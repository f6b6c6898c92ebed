//go:build unix

package imagesrc_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/imagesrc/imagesrctest"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
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

// special replaces p with a FIFO, or with a link to /dev/zero.
func special(t *testing.T, p, kind string) {
	t.Helper()
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	switch kind {
	case "fifo":
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Fatalf("mkfifo: %v", err)
		}
	case "zero":
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skipf("no /dev/zero: %v", err)
		}
		if err := os.Symlink("/dev/zero", p); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("kind %q", kind)
	}
}

// TestNotRegularFiles: every file dockvet image reads from an OCI layout or
// a docker archive must be a regular file; a FIFO (which blocks its reader
// until a writer comes) or a device (/dev/zero never ends) is refused at
// once, naming the file.
func TestNotRegularFiles(t *testing.T) {
	img := registrytest.Image(t, spec("u", ""))
	cfgName, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	mdg, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	ldg, err := ls[0].Digest()
	if err != nil {
		t.Fatal(err)
	}
	type tc struct {
		name string
		ref  func(dir string) (ref, file string) // makes the source, names the file to replace
		deep bool                                // the file is read by Deep only
	}
	layout := func(rel string) func(string) (string, string) {
		return func(dir string) (string, string) {
			imagesrctest.WriteLayout(t, dir, imagesrctest.Entry{Image: img})
			return "oci-layout:" + dir, filepath.Join(dir, filepath.FromSlash(rel))
		}
	}
	var tests []tc
	for _, kind := range []string{"fifo", "zero"} {
		tests = append(tests,
			tc{kind + " index.json", layout("index.json"), false},
			tc{kind + " oci-layout", layout("oci-layout"), false},
			tc{kind + " manifest blob", layout("blobs/sha256/" + mdg.Hex), false},
			tc{kind + " config blob", layout("blobs/sha256/" + cfgName.Hex), false},
			tc{kind + " layer blob", layout("blobs/sha256/" + ldg.Hex), true},
			tc{kind + " docker archive", func(dir string) (string, string) {
				p := filepath.Join(dir, "image.tar")
				return "docker-archive:" + p, p
			}, false},
		)
	}
	for i := range tests {
		tt := tests[i]
		kind, _, _ := strings.Cut(tt.name, " ")
		t.Run(tt.name, func(t *testing.T) {
			ref, file := tt.ref(t.TempDir())
			special(t, file, kind)
			src, err := imagesrc.Parse(ref)
			if err != nil {
				t.Fatal(err)
			}
			within(t, 10*time.Second, func() {
				res := imagesrc.Load(context.Background(), []imagesrc.Source{src}, "", nil)
				err = res[0].Err
				if err == nil && tt.deep {
					_, err = imagesrc.Deep(context.Background(), src, res[0].Image, imagesrc.DeepOptions{})
				}
			})
			if err == nil || !strings.Contains(err.Error(), "is not a regular file") {
				t.Fatalf("err = %v, want %s is not a regular file", err, file)
			}
			if !tt.deep && !strings.Contains(err.Error(), file) {
				t.Errorf("err = %v, want one naming %s", err, file)
			}
		})
	}
}

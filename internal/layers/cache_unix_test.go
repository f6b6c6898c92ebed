//go:build unix

package layers

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCacheRefusesHostileEntries: the cache directory may be shared, so an
// entry may have been replaced by a FIFO (a plain open blocks forever), a
// link to /dev/zero, or a small gzip stream that decompresses to far more
// than any listing. Each is dropped, and the layer read again.
func TestCacheRefusesHostileEntries(t *testing.T) {
	const limit = 4 << 10
	listing := func(paths int) *Listing {
		li := &Listing{Digest: digestOf([]byte("hostile"))}
		for i := range paths {
			li.Entries = append(li.Entries, Entry{Path: strings.Repeat("p", 100) + string(rune('a'+i%26)), Type: TypeFile})
		}
		return li
	}
	bomb := func(t *testing.T, p string) {
		// A valid listing whose JSON is larger than the limit, and
		// compresses to far less than it.
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		c := &diskCache{dir: t.TempDir()}
		c.put(listing(200))
		f, _ := c.file(listing(0).Digest)
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := buf.ReadFrom(zr); err != nil {
			t.Fatal(err)
		}
		plain := buf.Bytes()
		if len(plain) <= limit {
			t.Fatalf("the bomb's JSON is %d bytes, not over %d", len(plain), limit)
		}
		var out bytes.Buffer
		zw.Reset(&out)
		zw.Write(plain)
		zw.Close()
		if out.Len() > limit {
			t.Fatalf("the bomb is %d bytes compressed, want it under the limit", out.Len())
		}
		if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		plant func(t *testing.T, p string)
	}{
		{"fifo", func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"link to /dev/zero", func(t *testing.T, p string) {
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Fatal(err)
			}
		}},
		{"decompresses past the limit", bomb},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &diskCache{dir: t.TempDir(), maxFile: limit}
			d := listing(0).Digest
			p, _ := c.file(d)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			tt.plant(t, p)
			if _, ok := c.get(d); ok {
				t.Error("a hostile entry was read as a listing")
			}
			if _, err := os.Lstat(p); !os.IsNotExist(err) {
				t.Errorf("the hostile entry was left in the cache (%v)", err)
			}
		})
	}
}

// TestCacheSkipsListingsOverTheLimit: a listing get would refuse is not
// written at all, and one within the limit is.
func TestCacheSkipsListingsOverTheLimit(t *testing.T) {
	c := &diskCache{dir: t.TempDir(), maxFile: 4 << 10}
	small := &Listing{Digest: digestOf([]byte("small")), Entries: []Entry{{Path: "a", Type: TypeFile}}}
	big := &Listing{Digest: digestOf([]byte("big"))}
	for range 100 {
		big.Entries = append(big.Entries, Entry{Path: strings.Repeat("b", 100), Type: TypeFile})
	}
	c.put(small)
	c.put(big)
	if _, ok := c.get(small.Digest); !ok {
		t.Error("a small listing was not cached")
	}
	p, _ := c.file(big.Digest)
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("a listing over the limit was written (%v)", err)
	}
}

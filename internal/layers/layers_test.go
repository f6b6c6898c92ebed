package layers

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/compression"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/dockvet/dockvet/internal/image"
)

// ent is a tar entry of a crafted layer: a name ending in "/" is a
// directory, "->target" after the name a symlink.
type ent struct {
	name string
	size int
}

func tarOf(t testing.TB, ents ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(e.size)}
		switch {
		case strings.HasSuffix(e.name, "/"):
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		case strings.Contains(e.name, "->"):
			n, target, _ := strings.Cut(e.name, "->")
			h.Name, h.Linkname, h.Typeflag, h.Size = n, target, tar.TypeSymlink, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write(make([]byte, h.Size)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// blobLayer serves blob from memory and counts how often it is opened.
func blobLayer(blob []byte, opens *atomic.Int64) Layer {
	return Layer{
		Digest: digestOf(blob),
		Size:   int64(len(blob)),
		Open: func(context.Context) (io.ReadCloser, error) {
			if opens != nil {
				opens.Add(1)
			}
			return io.NopCloser(bytes.NewReader(blob)), nil
		},
	}
}

// craftedImage is three layers with known waste:
//
//	0: /app/big.bin 100000, /app/keep.txt 4, /tmp/cache.db 100000,
//	   /var/lib/apt/lists/{a,b,c,d} 1000 each, /mnt/models/m1 5000,
//	   /mnt/models/sub/m2 3000
//	1: deletes /tmp/cache.db and the four lists, overwrites /app/big.bin
//	   (100001), adds /mnt/models/m3 2000
//	2: makes /app opaque (hiding big.bin from 1 and keep.txt from 0) and
//	   adds /app/new.txt 10
func craftedImage(t testing.TB) [][]byte {
	l0 := tarOf(t,
		ent{"app/", 0}, ent{"app/big.bin", 100000}, ent{"app/keep.txt", 4},
		ent{"tmp/", 0}, ent{"tmp/cache.db", 100000},
		ent{"var/", 0}, ent{"var/lib/", 0}, ent{"var/lib/apt/", 0}, ent{"var/lib/apt/lists/", 0},
		ent{"var/lib/apt/lists/a", 1000}, ent{"var/lib/apt/lists/b", 1000}, ent{"var/lib/apt/lists/c", 1000}, ent{"var/lib/apt/lists/d", 1000},
		ent{"mnt/", 0}, ent{"mnt/models/", 0}, ent{"mnt/models/m1", 5000}, ent{"mnt/models/sub/", 0}, ent{"mnt/models/sub/m2", 3000},
		ent{"bin/sh->/bin/dash", 0},
	)
	l1 := tarOf(t,
		ent{"tmp/", 0}, ent{"tmp/.wh.cache.db", 0},
		ent{"app/", 0}, ent{"./app/big.bin", 100001},
		ent{"var/lib/apt/lists/", 0},
		ent{"var/lib/apt/lists/.wh.a", 0}, ent{"var/lib/apt/lists/.wh.b", 0}, ent{"var/lib/apt/lists/.wh.c", 0}, ent{"var/lib/apt/lists/.wh.d", 0},
		ent{"mnt/models/m3", 2000},
		ent{"var/lib/.wh..wh.plnk", 0}, // AUFS metadata: ignored
	)
	l2 := tarOf(t, ent{"app/", 0}, ent{"app/.wh..wh..opq", 0}, ent{"app/new.txt", 10})
	return [][]byte{l0, l1, l2}
}

func analyze(t testing.TB, ls []Layer, opts Options) *image.DeepInfo {
	t.Helper()
	info, err := Analyze(context.Background(), ls, opts)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestAnalyzeCrafted(t *testing.T) {
	tars := craftedImage(t)
	var ls []Layer
	for _, b := range tars {
		ls = append(ls, blobLayer(gz(t, b), nil))
	}
	info := analyze(t, ls, Options{Volumes: []string{"/mnt/models/", "/data", "/app/new.txt"}})

	const want = 100000 + 100000 + 4000 + 100001 + 4
	if info.Wasted != want {
		t.Errorf("Wasted = %d, want %d", info.Wasted, want)
	}
	wantWaste := []image.WastedPath{
		{Path: "/app", Bytes: 100001, Files: 1, Layer: 1, By: 2, How: image.WasteHidden},
		{Path: "/app/big.bin", Bytes: 100000, Files: 1, Layer: 0, By: 1, How: image.WasteOverwritten},
		{Path: "/tmp/cache.db", Bytes: 100000, Files: 1, Layer: 0, By: 1, How: image.WasteDeleted},
		{Path: "/var/lib/apt/lists/*", Bytes: 4000, Files: 4, Layer: 0, By: 1, How: image.WasteDeleted},
		{Path: "/app", Bytes: 4, Files: 1, Layer: 0, By: 2, How: image.WasteHidden},
	}
	if !reflect.DeepEqual(info.Waste, wantWaste) {
		t.Errorf("Waste:\n got %+v\nwant %+v", info.Waste, wantWaste)
	}
	wantPairs := []image.WastePair{
		{Layer: 0, By: 1, Bytes: 204000, Files: 6},
		{Layer: 1, By: 2, Bytes: 100001, Files: 1},
		{Layer: 0, By: 2, Bytes: 4, Files: 1},
	}
	if !reflect.DeepEqual(info.WastePairs, wantPairs) {
		t.Errorf("WastePairs:\n got %+v\nwant %+v", info.WastePairs, wantPairs)
	}
	wantVol := []image.VolumeData{{Path: "/mnt/models/", Bytes: 10000, Files: 3, Layers: []image.VolumeLayer{{Layer: 0, Bytes: 8000, Files: 2}, {Layer: 1, Bytes: 2000, Files: 1}}}}
	if !reflect.DeepEqual(info.Volumes, wantVol) {
		t.Errorf("Volumes:\n got %+v\nwant %+v", info.Volumes, wantVol)
	}
	var total int64
	for i, l := range info.Layers {
		if l.UncompressedSize != int64(len(tars[i])) {
			t.Errorf("layer %d: uncompressed %d, want %d", i, l.UncompressedSize, len(tars[i]))
		}
		if l.Digest != ls[i].Digest {
			t.Errorf("layer %d: digest %s", i, l.Digest)
		}
		total += l.UncompressedSize
	}
	if info.UncompressedSize != total {
		t.Errorf("UncompressedSize %d, want %d", info.UncompressedSize, total)
	}
	if got := []int64{info.Layers[0].Wasted, info.Layers[1].Wasted, info.Layers[2].Wasted}; !reflect.DeepEqual(got, []int64{204004, 100001, 0}) {
		t.Errorf("per-layer waste %v", got)
	}
	if got := []int{info.Layers[0].Files, info.Layers[1].Files, info.Layers[2].Files}; !reflect.DeepEqual(got, []int{10, 2, 1}) {
		t.Errorf("per-layer files %v", got)
	}
}

func TestAnalyzeReplacements(t *testing.T) {
	// A directory replaced by a file, a file by a directory, a symlink
	// parent by a directory; directories repeated are not waste.
	l0 := tarOf(t, ent{"d/", 0}, ent{"d/a", 10}, ent{"d/sub/", 0}, ent{"d/sub/b", 20}, ent{"f", 30}, ent{"lib->usr/lib", 0}, ent{"usr/", 0}, ent{"usr/x", 5})
	l1 := tarOf(t, ent{"d", 7}, ent{"f/", 0}, ent{"f/c", 1}, ent{"lib/", 0}, ent{"lib/y", 2}, ent{"usr/", 0}, ent{"usr/z", 3})
	info := analyze(t, []Layer{blobLayer(l0, nil), blobLayer(l1, nil)}, Options{})
	want := []image.WastedPath{
		{Path: "/d", Bytes: 30, Files: 2, Layer: 0, By: 1, How: image.WasteOverwritten},
		{Path: "/f", Bytes: 30, Files: 1, Layer: 0, By: 1, How: image.WasteOverwritten},
	}
	if !reflect.DeepEqual(info.Waste, want) {
		t.Errorf("Waste:\n got %+v\nwant %+v", info.Waste, want)
	}
	if info.Wasted != 60 {
		t.Errorf("Wasted %d", info.Wasted)
	}
}

func TestAnalyzeWhiteoutOnlyLowerLayers(t *testing.T) {
	// A whiteout never deletes its own layer's entries, whatever their order
	// in the tar; a whiteout of nothing is no waste.
	l0 := tarOf(t, ent{"x", 100})
	l1 := tarOf(t, ent{"y", 50}, ent{".wh.y", 0}, ent{".wh.x", 0}, ent{".wh.nothing", 0})
	info := analyze(t, []Layer{blobLayer(l0, nil), blobLayer(l1, nil)}, Options{Volumes: []string{"/"}})
	if info.Wasted != 100 || len(info.Waste) != 1 || info.Waste[0].Path != "/x" {
		t.Errorf("waste %d %+v", info.Wasted, info.Waste)
	}
	if info.Volumes != nil {
		t.Errorf("VOLUME / is not measured: %+v", info.Volumes)
	}
}

func TestAnalyzeCompressions(t *testing.T) {
	tars := craftedImage(t)
	var want *image.DeepInfo
	for _, comp := range []string{"none", "gzip", "zstd"} {
		t.Run(comp, func(t *testing.T) {
			var ls []Layer
			for _, b := range tars {
				var blob []byte
				switch comp {
				case "none":
					blob = b
				case "gzip":
					blob = gz(t, b)
				case "zstd":
					l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
						tarball.WithCompression(compression.ZStd))
					if err != nil {
						t.Fatal(err)
					}
					rc, err := l.Compressed()
					if err != nil {
						t.Fatal(err)
					}
					blob, err = io.ReadAll(rc)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.HasPrefix(blob, []byte{0x28, 0xb5, 0x2f, 0xfd}) {
						t.Fatal("not zstd")
					}
				}
				ls = append(ls, blobLayer(blob, nil))
			}
			info := analyze(t, ls, Options{Volumes: []string{"/mnt/models"}})
			for i := range info.Layers {
				info.Layers[i].Digest = "" // differs by compression
			}
			if want == nil {
				want = info
			} else if !reflect.DeepEqual(info, want) {
				t.Errorf("%s differs:\n got %+v\nwant %+v", comp, info, want)
			}
		})
	}
}

func TestAnalyzeConcurrentAndOrdered(t *testing.T) {
	// 40 layers, each overwriting the previous one's file and deleting the
	// one before; any number of jobs and any read order give the same
	// result (run with -race).
	var ls []Layer
	var opens atomic.Int64
	for i := range 40 {
		ents := []ent{{fmt.Sprintf("f%d", i), 1000 + i}, {"shared", 10 * (i + 1)}}
		if i >= 2 {
			ents = append(ents, ent{fmt.Sprintf(".wh.f%d", i-2), 0})
		}
		ls = append(ls, blobLayer(gz(t, tarOf(t, ents...)), &opens))
	}
	want := analyze(t, ls, Options{Jobs: 1})
	var wantWasted int64
	for i := range 38 {
		wantWasted += int64(1000 + i)
	}
	for i := range 39 {
		wantWasted += int64(10 * (i + 1))
	}
	if want.Wasted != wantWasted {
		t.Errorf("Wasted %d, want %d", want.Wasted, wantWasted)
	}
	reverse := make([]int, len(ls))
	for i := range reverse {
		reverse[i] = len(ls) - 1 - i
	}
	for _, opts := range []Options{{Jobs: 4}, {Jobs: 16}, {}, {Jobs: 3, Order: reverse}} {
		got := analyze(t, ls, opts)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("jobs %d order %v: result differs", opts.Jobs, opts.Order != nil)
		}
	}
	if n := opens.Load(); n != 5*40 {
		t.Errorf("%d opens, want one per layer and run (200)", n)
	}
	if _, err := Analyze(context.Background(), ls, Options{Order: []int{0, 0}}); err == nil {
		t.Error("a bad Order is accepted")
	}
}

func TestAnalyzeSameBlobTwice(t *testing.T) {
	var opens atomic.Int64
	l := blobLayer(tarOf(t, ent{"a", 1}), &opens)
	prog := &Progress{}
	info := analyze(t, []Layer{l, l, l}, Options{Progress: prog})
	if opens.Load() != 1 {
		t.Errorf("%d opens, want 1", opens.Load())
	}
	if info.Wasted != 2 || prog.Done.Load() != 3 {
		t.Errorf("wasted %d, done %d", info.Wasted, prog.Done.Load())
	}
}

func TestCache(t *testing.T) {
	dir := t.TempDir()
	tars := craftedImage(t)
	var opens atomic.Int64
	var ls []Layer
	for _, b := range tars {
		ls = append(ls, blobLayer(gz(t, b), &opens))
	}
	opts := Options{CacheDir: dir, Volumes: []string{"/mnt/models"}}
	cold := analyze(t, ls, opts)
	if opens.Load() != 3 {
		t.Fatalf("cold run: %d opens", opens.Load())
	}
	prog := &Progress{}
	opts.Progress = prog
	warm := analyze(t, ls, opts)
	if opens.Load() != 3 {
		t.Errorf("warm run opened %d layers", opens.Load()-3)
	}
	if !reflect.DeepEqual(warm, cold) {
		t.Errorf("warm result differs:\n%+v\n%+v", warm, cold)
	}
	if prog.Cached.Load() != 3 || prog.Done.Load() != 3 || prog.Read.Load() != ls[0].Size+ls[1].Size+ls[2].Size {
		t.Errorf("progress cached %d done %d read %d", prog.Cached.Load(), prog.Done.Load(), prog.Read.Load())
	}

	// A corrupt entry (truncated, garbage, another digest's) is read again
	// and rewritten.
	c := &diskCache{dir: dir}
	p0, _ := c.file(ls[0].Digest)
	p1, _ := c.file(ls[1].Digest)
	p2, _ := c.file(ls[2].Digest)
	good1, err := os.ReadFile(p1)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p0, []byte("not gzip"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p1, good1[:len(good1)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p2, good1, 0o600); err != nil {
		t.Fatal(err)
	}
	again := analyze(t, ls, opts)
	if opens.Load() != 6 {
		t.Errorf("corrupt entries: %d layers read again, want 3", opens.Load()-3)
	}
	if !reflect.DeepEqual(again, cold) {
		t.Error("result differs after recomputing")
	}
	if _, ok := c.get(ls[1].Digest); !ok {
		t.Error("the entry was not rewritten")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "layers", "sha256"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestCacheSkipsUnverified(t *testing.T) {
	dir := t.TempDir()
	b := tarOf(t, ent{"a", 1})
	l := blobLayer(b, nil)
	l.Digest = "" // unknown: read, not cached
	analyze(t, []Layer{l}, Options{CacheDir: dir})
	l2 := blobLayer(b, nil)
	l2.Digest = "sha512:" + strings.Repeat("ab", 64) // not checked: not cached
	analyze(t, []Layer{l2}, Options{CacheDir: dir})
	if _, err := os.Stat(filepath.Join(dir, "layers")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unverified listings were cached (%v)", err)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	good := tarOf(t, ent{"a", 100000})
	gzGood := gz(t, good)
	corrupt := bytes.Clone(gzGood)
	for i := 20; i < 60; i++ {
		corrupt[i] ^= 0x55
	}
	tests := []struct {
		name  string
		layer Layer
		want  string
	}{
		{"truncated gzip", blobLayer(gzGood[:len(gzGood)/2], nil), "cannot decompress the layer: unexpected EOF"},
		{"corrupt gzip", blobLayer(corrupt, nil), "cannot decompress the layer"},
		{"bad gzip header", blobLayer(append([]byte{0x1f, 0x8b, 0}, make([]byte, 40)...), nil), "cannot decompress the layer"},
		{"not a tar", blobLayer(bytes.Repeat([]byte("hello world "), 100), nil), "not a valid tar stream"},
		{"digest mismatch", func() Layer { l := blobLayer(gzGood, nil); l.Digest = digestOf([]byte("other")); return l }(), "does not match its digest"},
		{"larger than declared", func() Layer { l := blobLayer(gzGood, nil); l.Size = 10; return l }(), "larger than the 10 bytes the manifest declares"},
		{"smaller than declared", func() Layer { l := blobLayer(gzGood, nil); l.Size += 10; return l }(), "the manifest declares"},
		{"open fails", Layer{Digest: digestOf(good), Open: func(context.Context) (io.ReadCloser, error) { return nil, errors.New("HTTP 404") }}, "HTTP 404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ls := []Layer{blobLayer(gz(t, tarOf(t, ent{"ok", 1})), nil), tt.layer}
			_, err := Analyze(context.Background(), ls, Options{CacheDir: dir})
			var le *LayerError
			if !errors.As(err, &le) || le.Index != 1 {
				t.Fatalf("err = %v, want a *LayerError for layer index 1", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "layer 2") {
				t.Errorf("err = %q, want %q", err, tt.want)
			}
			if _, ok := (&diskCache{dir: dir}).get(tt.layer.Digest); ok {
				t.Error("a failed layer was cached")
			}
		})
	}
}

// stallingReader sends a little, then nothing until it is closed.
type stallingReader struct {
	sent   bool
	closed chan struct{}
}

func (s *stallingReader) Read(p []byte) (int, error) {
	if !s.sent {
		s.sent = true
		return copy(p, []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}), nil
	}
	<-s.closed
	return 0, errors.New("closed")
}

func TestAnalyzeStall(t *testing.T) {
	l := Layer{Digest: digestOf([]byte("x")), Open: func(ctx context.Context) (io.ReadCloser, error) {
		s := &stallingReader{closed: make(chan struct{})}
		go func() { <-ctx.Done(); close(s.closed) }()
		return io.NopCloser(s), nil
	}}
	start := time.Now()
	_, err := Analyze(context.Background(), []Layer{l}, Options{StallTimeout: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "no data received for 200ms") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestAnalyzeCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ls := []Layer{blobLayer(tarOf(t, ent{"a", 1}), nil), blobLayer(tarOf(t, ent{"b", 1}), nil)}
	if _, err := Analyze(ctx, ls, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if info, err := Analyze(context.Background(), nil, Options{}); err != nil || len(info.Layers) != 0 {
		t.Errorf("no layers: %v %v", info, err)
	}
}

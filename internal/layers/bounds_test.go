package layers

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// longNamesLayer is a gzipped tar of n regular files whose PAX names are
// about nameLen bytes each: what a few kilobytes compress to.
func longNamesLayer(t testing.TB, n, nameLen int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(zw)
	for i := range n {
		name := fmt.Sprintf("d%d/", i)
		name += strings.Repeat("a", nameLen-len(name))
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAnalyzeLongPaths: a small layer of megabyte-long names (the
// reviewer's 3.3 MB layer took 12.9 GB) fails at its first long path,
// quickly, without holding the names.
func TestAnalyzeLongPaths(t *testing.T) {
	const n, nameLen = 32, 1<<20 - 64
	blob := longNamesLayer(t, n, nameLen)
	t.Logf("layer: %d entries with %d-byte names, %d bytes gzipped", n, nameLen, len(blob))

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Analyze(context.Background(), []Layer{blobLayer(gz(t, tarOf(t, ent{"ok", 1})), nil), blobLayer(blob, nil)}, Options{})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	var le *LayerError
	if !errors.As(err, &le) || le.Index != 1 {
		t.Fatalf("err = %v, want a *LayerError for layer index 1", err)
	}
	want := fmt.Sprintf("layer 2 (%s): a path of %d bytes, more than the %d a path may have: \"d0/aaaa", ShortDigest(digestOf(blob)), nameLen, MaxPathLen)
	if !strings.HasPrefix(err.Error(), want) || len(err.Error()) > 200 {
		t.Errorf("err = %q, want %q…", err, want)
	}
	// archive/tar reads one PAX record (up to 1 MiB) at a time; all the
	// names together are 32 MiB, held twice or more without the cap.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%s, %d MiB allocated", elapsed, alloc>>20)
	if alloc > 16<<20 {
		t.Errorf("allocated %d MiB", alloc>>20)
	}
	if elapsed > 5*time.Second {
		t.Errorf("took %s", elapsed)
	}
}

func TestReadTarCaps(t *testing.T) {
	small := func() *budget {
		return &budget{pathLen: 16, layerEntries: 4, layerPathBytes: 30, imageEntries: 6, imagePathBytes: 40}
	}
	read := func(b *budget, ents ...ent) error {
		_, err := readTar(context.Background(), bytes.NewReader(tarOf(t, ents...)), b)
		return err
	}
	if err := read(small(), ent{strings.Repeat("p", 16), 0}, ent{"./" + strings.Repeat("q", 14) + "/", 0}); err != nil {
		t.Errorf("paths at the cap: %v", err)
	}
	for _, tt := range []struct {
		name string
		ents []ent
		want string
	}{
		{"long path", []ent{{"a", 0}, {strings.Repeat("b", 17), 0}}, `a path of 17 bytes, more than the 16 a path may have: "bbbbbbbbbbbbbbbbb"`},
		{"long path, clipped", []ent{{strings.Repeat("c", 100), 0}}, `a path of 100 bytes, more than the 16 a path may have: "` + strings.Repeat("c", 40) + `"…`},
		{"long whiteout", []ent{{"d/.wh." + strings.Repeat("e", 20), 0}}, "a path of 22 bytes"},
		{"entries", []ent{{"a", 0}, {"b", 0}, {"c", 0}, {"d", 0}, {"e", 0}}, "more than 4 entries in one layer"},
		{"path bytes", []ent{{strings.Repeat("a", 16), 0}, {strings.Repeat("b", 15), 0}}, "more than 30 bytes of paths in one layer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := read(small(), tt.ents...); err == nil || err.Error() != tt.want && !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}

	// The image's caps span its layers.
	b := small()
	if err := read(b, ent{"a", 0}, ent{"b", 0}, ent{"c", 0}); err != nil {
		t.Fatal(err)
	}
	if err := read(b, ent{"d", 0}, ent{"e", 0}, ent{"f", 0}, ent{"g", 0}); err == nil || err.Error() != "more than 6 entries in the image's layers" {
		t.Errorf("image entries: %v", err)
	}
	b = small()
	if err := read(b, ent{strings.Repeat("a", 15), 0}, ent{strings.Repeat("b", 15), 0}); err != nil {
		t.Fatal(err)
	}
	if err := read(b, ent{strings.Repeat("c", 11), 0}); err == nil || err.Error() != "more than 40 bytes of paths in the image's layers" {
		t.Errorf("image path bytes: %v", err)
	}
}

// TestCacheRefusesLongPaths: a cached listing past the caps (written before
// them) is dropped and the layer read again.
func TestCacheRefusesLongPaths(t *testing.T) {
	c := &diskCache{dir: t.TempDir()}
	d := digestOf([]byte("long"))
	c.put(&Listing{Digest: d, Entries: []Entry{{Path: strings.Repeat("a", MaxPathLen+1), Type: TypeFile}}})
	if _, ok := c.get(d); ok {
		t.Error("a listing with a path over MaxPathLen was read from the cache")
	}
	c.put(&Listing{Digest: d, Entries: []Entry{{Path: strings.Repeat("a", MaxPathLen), Type: TypeFile}}})
	if _, ok := c.get(d); !ok {
		t.Error("a listing with a path of MaxPathLen was not read from the cache")
	}
}

// TestAnalyzeDeclaredSize: a size that cannot bound the download is
// refused before the layer is opened.
func TestAnalyzeDeclaredSize(t *testing.T) {
	blob := gz(t, tarOf(t, ent{"a", 1}))
	for _, tt := range []struct {
		name     string
		size     int64
		verified bool
		want     string
	}{
		{"registry, no size", 0, true, "the manifest declares a size of 0 bytes for this layer: nothing would bound its download"},
		{"negative", -1, false, "the manifest declares a size of -1 bytes for this layer: nothing would bound its download"},
		{"huge", MaxLayerSize + 1, true, fmt.Sprintf("the manifest declares %d bytes for this layer, more than the %d --deep reads", int64(MaxLayerSize)+1, int64(MaxLayerSize))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opened := false
			l := Layer{Digest: digestOf(blob), Size: tt.size, Verified: tt.verified, Open: func(context.Context) (io.ReadCloser, error) {
				opened = true
				return io.NopCloser(bytes.NewReader(blob)), nil
			}}
			_, err := Analyze(context.Background(), []Layer{l}, Options{})
			if err == nil || err.Error() != "layer 1 ("+ShortDigest(l.Digest)+"): "+tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if opened {
				t.Error("the layer was opened")
			}
		})
	}
	// A local layer of unknown size is still read.
	l := blobLayer(blob, nil)
	l.Size = 0
	if _, err := Analyze(context.Background(), []Layer{l}, Options{}); err != nil {
		t.Error(err)
	}
}

// tricklingReader sends blob one byte every interval, and gives up (EOF)
// after limit: slowly enough never to stall.
type tricklingReader struct {
	ctx      context.Context
	blob     []byte
	interval time.Duration
	deadline time.Time
}

func (r *tricklingReader) Read(p []byte) (int, error) {
	if len(r.blob) == 0 || time.Now().After(r.deadline) || len(p) == 0 {
		return 0, io.EOF
	}
	select {
	case <-time.After(r.interval):
	case <-r.ctx.Done():
		return 0, r.ctx.Err()
	}
	p[0], r.blob = r.blob[0], r.blob[1:]
	return 1, nil
}

// TestAnalyzeTooSlow: a stream that trickles bytes just fast enough never
// to stall ends at the deadline, max(2 × stall, declared bytes at MinRate).
func TestAnalyzeTooSlow(t *testing.T) {
	blob := gz(t, tarOf(t, ent{"a", 100000}))
	trickle := Layer{Digest: digestOf(blob), Size: int64(len(blob)), Verified: true, Open: func(ctx context.Context) (io.ReadCloser, error) {
		return io.NopCloser(&tricklingReader{ctx: ctx, blob: blob, interval: 20 * time.Millisecond, deadline: time.Now().Add(4 * time.Second)}), nil
	}}
	fast := blobLayer(gz(t, tarOf(t, ent{"b", 1})), nil)

	for _, tt := range []struct {
		name  string
		opts  Options
		limit time.Duration
	}{
		// 2 × stall is more than the declared bytes at MinRate. The stall
		// timeout is 15 times the trickle's interval, so that a timer
		// firing late on a loaded machine does not cut the trickle as
		// stalled first (150 ms failed once under load).
		{"stall", Options{StallTimeout: 300 * time.Millisecond}, 600 * time.Millisecond},
		// The declared bytes at MinRate are more than 2 × stall. The stall
		// timeout stays 10 times the trickle's interval: on a loaded
		// machine a 20 ms timer may fire late, and a 50 ms stall timeout
		// then cut the trickle as stalled before the deadline.
		{"rate", Options{StallTimeout: 200 * time.Millisecond, MinRate: int64(len(blob)+int(fast.Size)) * 2}, 500 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Analyze(context.Background(), []Layer{fast, trickle}, tt.opts)
			elapsed := time.Since(start)
			want := fmt.Sprintf("layer 2 (%s): too slow: ", ShortDigest(trickle.Digest))
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("err = %v, want %q…", err, want)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf(" of %d bytes in ", len(blob))) || !strings.Contains(err.Error(), fmt.Sprintf("(the image's layers must be read within %s: their ", tt.limit)) {
				t.Errorf("err = %v", err)
			}
			t.Logf("%s: %v", elapsed, err)
			// No upper bound on a loaded machine: the trickle would end
			// by itself after 4 s without an error, so the "too slow"
			// error above already proves that the deadline cut it.
			if elapsed < tt.limit {
				t.Errorf("took %s, less than the %s deadline", elapsed, tt.limit)
			}
		})
	}

	// MinRate < 0: no deadline, the trickle is read to its end (here cut
	// short by the reader itself).
	_, err := Analyze(context.Background(), []Layer{fast, {Digest: trickle.Digest, Size: trickle.Size, Verified: true, Open: func(ctx context.Context) (io.ReadCloser, error) {
		return io.NopCloser(&tricklingReader{ctx: ctx, blob: blob, interval: time.Millisecond, deadline: time.Now().Add(200 * time.Millisecond)}), nil
	}}}, Options{StallTimeout: 20 * time.Millisecond, MinRate: -1})
	if err == nil || strings.Contains(err.Error(), "too slow") {
		t.Errorf("MinRate -1: %v", err)
	}
}

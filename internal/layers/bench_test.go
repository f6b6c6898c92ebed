package layers_test

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

// BenchmarkDeep500MB measures `image --deep` on one big layer served by a
// registry on loopback: the resolver's session, the download with digest
// check, decompression and the tar walk, no cache. The blob is served from
// a file (not the test registry's memory), so the process's memory is the
// client's: peak-heap-MiB (HeapInuse sampled every 5 ms) and peak-RSS-MiB
// (VmHWM, reset before each run) must not grow with the layer's size.
// MB/s is of the uncompressed layer; blob-MB/s of what was downloaded.
//
// The layer holds 8 files of random hex text (about 2:1 under gzip -1).
//
//	go test ./internal/layers -run '^$' -bench Deep500MB -benchtime 2x
func BenchmarkDeep500MB(b *testing.B) {
	dir := b.TempDir()
	for _, size := range []int64{100 << 20, 500 << 20} {
		for _, gz := range []bool{true, false} {
			comp := "uncompressed"
			if gz {
				comp = "gzip"
			}
			var blob *bigBlob
			b.Run(fmt.Sprintf("%dMB/%s", size>>20, comp), func(b *testing.B) {
				blob = makeBlob(b, dir, size, gz)
				benchDeep(b, blob)
			})
			// The least a Go reader of the same blob over the same
			// loopback does: download, sha256, gunzip, tar walk. Issue
			// 11 asks `image --deep` for at least 0.9x its MB/s.
			b.Run(fmt.Sprintf("%dMB/%s-reader", size>>20, comp), func(b *testing.B) {
				if blob == nil {
					blob = makeBlob(b, dir, size, gz)
				}
				benchPlainReader(b, blob)
			})
		}
	}
}

// bigBlob is a layer blob on disk.
type bigBlob struct {
	path           string
	digest, diffID v1.Hash
	size, tarSize  int64
	mediaType      types.MediaType
}

func makeBlob(b *testing.B, dir string, size int64, gz bool) *bigBlob {
	b.Helper()
	p := filepath.Join(dir, fmt.Sprintf("layer-%d-%v", size, gz))
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	blobHash := sha256.New()
	blobCount := &countWriter{}
	w := io.MultiWriter(f, blobHash, blobCount)
	var zw *gzip.Writer
	if gz {
		zw, _ = gzip.NewWriterLevel(w, gzip.BestSpeed)
		w = zw
	}
	diffHash := sha256.New()
	tarCount := &countWriter{}
	bw := bufio.NewWriterSize(io.MultiWriter(w, diffHash, tarCount), 1<<20)
	tw := tar.NewWriter(bw)
	const files = 8
	rng := rand.New(rand.NewPCG(1, uint64(size)))
	raw := make([]byte, 32<<10)
	text := make([]byte, 64<<10)
	for i := range files {
		n := size / files
		if err := tw.WriteHeader(&tar.Header{Name: "data/part" + strconv.Itoa(i) + ".txt", Typeflag: tar.TypeReg, Mode: 0o644, Size: n}); err != nil {
			b.Fatal(err)
		}
		for n > 0 {
			for j := 0; j < len(raw); j += 8 {
				v := rng.Uint64()
				for k := range 8 {
					raw[j+k] = byte(v >> (8 * k))
				}
			}
			hex.Encode(text, raw)
			chunk := text[:min(int64(len(text)), n)]
			if _, err := tw.Write(chunk); err != nil {
				b.Fatal(err)
			}
			n -= int64(len(chunk))
		}
	}
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	mt := types.DockerUncompressedLayer
	if zw != nil {
		if err := zw.Close(); err != nil {
			b.Fatal(err)
		}
		mt = types.DockerLayer
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return &bigBlob{
		path:      p,
		digest:    v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(blobHash.Sum(nil))},
		diffID:    v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(diffHash.Sum(nil))},
		size:      blobCount.n,
		tarSize:   tarCount.n,
		mediaType: mt,
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// fileLayer is a v1.Layer backed by bigBlob, for pushing a manifest that
// names it (the blob itself is never uploaded: the registry's fault
// serves it from the file).
type fileLayer struct{ *bigBlob }

func (l fileLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l fileLayer) DiffID() (v1.Hash, error)            { return l.diffID, nil }
func (l fileLayer) Size() (int64, error)                { return l.size, nil }
func (l fileLayer) MediaType() (types.MediaType, error) { return l.mediaType, nil }
func (l fileLayer) Compressed() (io.ReadCloser, error)  { return os.Open(l.path) }
func (l fileLayer) Uncompressed() (io.ReadCloser, error) {
	return nil, fmt.Errorf("not needed")
}

func benchDeep(b *testing.B, blob *bigBlob) {
	srv := registrytest.New(b)
	// The big blob comes from its file; everything else from the registry.
	srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/blobs/"+blob.digest.String()) {
			return false
		}
		f, err := os.Open(blob.path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return true
		}
		defer f.Close()
		w.Header().Set("Docker-Content-Digest", blob.digest.String())
		http.ServeContent(w, r, "", time.Time{}, f)
		return true
	})
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: fileLayer{blob}, History: v1.History{CreatedBy: "COPY data/ /data/ # buildkit"}})
	if err != nil {
		b.Fatal(err)
	}
	ref, err := name.ParseReference(srv.Ref("bench/big:1"), name.Insecure)
	if err != nil {
		b.Fatal(err)
	}
	// Through the fault (no setup header): the registry says it has the
	// blob, so only the config and the manifest are uploaded.
	if err := remote.Write(ref, img); err != nil {
		b.Fatal(err)
	}

	r := registry.New(registry.WithCacheDir(""))
	src, err := imagesrc.Parse(srv.Ref("bench/big:1"))
	if err != nil {
		b.Fatal(err)
	}
	res := imagesrc.Load(context.Background(), []imagesrc.Source{src}, "", r)
	if res[0].Err != nil {
		b.Fatal(res[0].Err)
	}
	loaded := res[0].Image

	runtime.GC()
	resetPeakRSS()
	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peakHeap.Load() {
				peakHeap.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()

	srv.Reset()
	b.SetBytes(blob.tarSize)
	b.ResetTimer()
	for range b.N {
		info, err := imagesrc.Deep(context.Background(), src, loaded, imagesrc.DeepOptions{Registry: r})
		if err != nil {
			b.Fatal(err)
		}
		if info.UncompressedSize != blob.tarSize || info.Layers[0].Files != 8 {
			b.Fatalf("uncompressed %d (want %d), %d files", info.UncompressedSize, blob.tarSize, info.Layers[0].Files)
		}
	}
	b.StopTimer()
	close(stop)
	<-sampled
	if got := srv.Requests().Blob; got != b.N {
		b.Errorf("%d blob requests for %d runs", got, b.N)
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(blob.size)*float64(b.N)/secs/1e6, "blob-MB/s")
	b.ReportMetric(float64(peakHeap.Load())/(1<<20), "peak-heap-MiB")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
	}
}

// benchPlainReader reads blob from a loopback HTTP server as a plain Go
// program would: sha256 of the download, gzip (when compressed) and
// archive/tar, every entry's content read and discarded.
func benchPlainReader(b *testing.B, blob *bigBlob) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(blob.path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, "", time.Time{}, f)
	}))
	defer srv.Close()
	b.SetBytes(blob.tarSize)
	b.ResetTimer()
	for range b.N {
		resp, err := http.Get(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		h := sha256.New()
		r := io.TeeReader(resp.Body, h)
		if blob.mediaType == types.DockerLayer {
			zr, err := gzip.NewReader(r)
			if err != nil {
				b.Fatal(err)
			}
			r = zr
		}
		tr := tar.NewReader(r)
		files := 0
		for {
			_, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, tr); err != nil {
				b.Fatal(err)
			}
			files++
		}
		// The rest of the blob (tar padding, gzip trailer) counts toward
		// the digest, as in a real reader.
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(h, resp.Body)
		resp.Body.Close()
		if got := hex.EncodeToString(h.Sum(nil)); got != blob.digest.Hex || files != 8 {
			b.Fatalf("digest %s (want %s), %d files", got, blob.digest.Hex, files)
		}
	}
}

// resetPeakRSS resets VmHWM (Linux: "5" > /proc/self/clear_refs).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is VmHWM in bytes; 0 when unknown.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

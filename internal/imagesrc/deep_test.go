package imagesrc_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/imagesrc/imagesrctest"
	"github.com/dockvet/dockvet/internal/layers"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

const mib = 1 << 20

var (
	deepOnce sync.Once
	deepImg  v1.Image
)

// deepImage builds imagesrctest.DeepImage once per test binary.
func deepImage(t *testing.T) v1.Image {
	t.Helper()
	deepOnce.Do(func() { deepImg = imagesrctest.DeepImage(t) })
	return deepImg
}

func loadDeep(t *testing.T, ref string, r imagesrc.Resolver, opts imagesrc.DeepOptions) (*image.Image, *image.DeepInfo, error) {
	t.Helper()
	src, err := imagesrc.Parse(ref)
	if err != nil {
		t.Fatal(err)
	}
	res := imagesrc.Load(context.Background(), []imagesrc.Source{src}, "", r)
	if res[0].Err != nil {
		t.Fatalf("%s: %v", ref, res[0].Err)
	}
	info, err := imagesrc.Deep(context.Background(), src, res[0].Image, opts)
	return res[0].Image, info, err
}

// checkDeep compares a result with what imagesrctest.DeepImage holds.
func checkDeep(t *testing.T, info *image.DeepInfo) {
	t.Helper()
	if info.Wasted != 64*mib {
		t.Errorf("Wasted = %d, want 64 MiB", info.Wasted)
	}
	want := []image.WastedPath{
		{Path: "/var/lib/apt/lists/*", Bytes: 40 * mib, Files: 5, Layer: 1, By: 3, How: image.WasteDeleted},
		{Path: "/mnt/models/model.bin", Bytes: 24 * mib, Files: 1, Layer: 2, By: 4, How: image.WasteOverwritten},
	}
	if !reflect.DeepEqual(info.Waste, want) {
		t.Errorf("Waste:\n got %+v\nwant %+v", info.Waste, want)
	}
	wantVol := []image.VolumeData{{Path: "/mnt/models", Bytes: 25 * mib, Files: 2,
		Layers: []image.VolumeLayer{{Layer: 2, Bytes: 1 * mib, Files: 1}, {Layer: 4, Bytes: 24 * mib, Files: 1}}}}
	if !reflect.DeepEqual(info.Volumes, wantVol) {
		t.Errorf("Volumes:\n got %+v\nwant %+v", info.Volumes, wantVol)
	}
	var entries []int
	for _, l := range info.Layers {
		entries = append(entries, l.Entry)
	}
	if !reflect.DeepEqual(entries, []int{1, 3, 4, 5, 6}) {
		t.Errorf("entries %v", entries)
	}
	if info.UncompressedSize < 89*mib || info.UncompressedSize > 90*mib {
		t.Errorf("UncompressedSize %d", info.UncompressedSize)
	}
}

func TestDeepLocal(t *testing.T) {
	img := deepImage(t)
	dir := t.TempDir()
	imagesrctest.WriteLayout(t, filepath.Join(dir, "layout"), imagesrctest.Entry{Image: img, Tag: "v1"})
	archive := filepath.Join(dir, "app.tar")
	imagesrctest.WriteArchive(t, archive, map[string]v1.Image{"example.com/app:v1": img})
	gzArchive := filepath.Join(dir, "app.tar.gz")
	gzipFile(t, archive, gzArchive)

	var first *image.DeepInfo
	for _, ref := range []string{"oci-layout:" + dir + "/layout:v1", "docker-archive:" + archive, "docker-archive:" + gzArchive} {
		t.Run(filepath.Base(ref), func(t *testing.T) {
			prog := &layers.Progress{}
			_, info, err := loadDeep(t, ref, nil, imagesrc.DeepOptions{Progress: prog})
			if err != nil {
				t.Fatal(err)
			}
			checkDeep(t, info)
			if first == nil {
				first = info
			} else if !reflect.DeepEqual(info, first) {
				t.Errorf("differs from the OCI layout's:\n%+v\n%+v", info, first)
			}
			if prog.Done.Load() != 5 || prog.Cached.Load() != 0 {
				t.Errorf("progress: done %d cached %d", prog.Done.Load(), prog.Cached.Load())
			}
		})
	}
}

func gzipFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(out)
	if _, err := io.Copy(zw, in); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestDeepRegistryCache reads the layers through an authenticated registry
// once; a second run (a new resolver on the same cache directory, as a new
// process would) sends no request at all.
func TestDeepRegistryCache(t *testing.T) {
	srv := registrytest.New(t, registrytest.WithAuth("u", "p"))
	srv.Push(t, "team/app:1", deepImage(t))
	cache := t.TempDir()
	ref := srv.Ref("team/app:1")

	r := registry.New(registry.WithCacheDir(cache), registry.WithKeychain(srv.Keychain()))
	_, info, err := loadDeep(t, ref, r, imagesrc.DeepOptions{Registry: r, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	checkDeep(t, info)
	cold := srv.Requests()
	if cold.Blob != 6 {
		t.Errorf("cold run: %d blob requests, want 6 (config + 5 layers); log %v", cold.Blob, srv.Log())
	}
	t.Logf("cold run: %+v", cold)

	srv.Reset()
	r2 := registry.New(registry.WithCacheDir(cache), registry.WithKeychain(srv.Keychain()))
	prog := &layers.Progress{}
	_, warm, err := loadDeep(t, ref, r2, imagesrc.DeepOptions{Registry: r2, CacheDir: cache, Progress: prog})
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests(); got.Total() != 0 {
		t.Errorf("warm run sent %d requests: %v", got.Total(), srv.Log())
	}
	if !reflect.DeepEqual(warm, info) {
		t.Errorf("warm result differs")
	}
	if prog.Cached.Load() != 5 {
		t.Errorf("%d layers from the cache, want 5", prog.Cached.Load())
	}

	// Offline, the cache still answers; without it, the error says so.
	off := registry.New(registry.WithCacheDir(cache), registry.WithOffline(true))
	if _, _, err := loadDeep(t, ref, off, imagesrc.DeepOptions{Registry: off, CacheDir: cache}); err != nil {
		t.Errorf("offline with a warm cache: %v", err)
	}
	if _, _, err := loadDeep(t, ref, off, imagesrc.DeepOptions{Registry: off}); err == nil ||
		!strings.Contains(err.Error(), "--deep: could not read layer 1 of 5 (sha256:") ||
		!strings.Contains(err.Error(), "history entry 1): offline") {
		t.Errorf("offline without a cache: %v", err)
	}
}

func TestDeepRegistryFaults(t *testing.T) {
	srv := registrytest.New(t)
	img := deepImage(t)
	srv.Push(t, "team/app:1", img)
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	bad, err := ls[2].Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref := srv.Ref("team/app:1")
	tests := []struct {
		name  string
		fault registrytest.Fault
		want  string
	}{
		{"missing blob", func(w http.ResponseWriter, r *http.Request) bool {
			if strings.HasSuffix(r.URL.Path, bad.String()) {
				registrytest.WriteError(w, http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown")
				return true
			}
			return false
		}, "could not read layer 3 of 5 (sha256:" + bad.Hex[:12] + ", history entry 4): not found (HTTP 404 BLOB_UNKNOWN)"},
		{"wrong bytes", func(w http.ResponseWriter, r *http.Request) bool {
			if strings.HasSuffix(r.URL.Path, bad.String()) {
				b, _ := ls[1].Compressed()
				defer b.Close()
				_, _ = io.Copy(w, b)
				return true
			}
			return false
		}, "history entry 4): "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetFault(tt.fault)
			defer srv.SetFault(nil)
			r := registry.New(registry.WithCacheDir(""))
			_, _, err := loadDeep(t, ref, r, imagesrc.DeepOptions{Registry: r})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			t.Log(err)
		})
	}
}

func TestDeepLayoutErrors(t *testing.T) {
	img := deepImage(t)
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	d, err := ls[1].Digest()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		damage func(blob string)
		want   string
	}{
		{"missing blob", func(blob string) { _ = os.Remove(blob) }, "blobs/sha256/" + d.Hex + " is missing: the layout is incomplete"},
		{"corrupt blob", func(blob string) {
			b, _ := os.ReadFile(blob)
			for i := 100; i < 120 && i < len(b); i++ {
				b[i] ^= 0xff
			}
			_ = os.WriteFile(blob, b, 0o644)
		}, "could not read layer 2 of 5 (sha256:" + d.Hex[:12] + ", history entry 3): the layer blob does not match its digest"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			imagesrctest.WriteLayout(t, dir, imagesrctest.Entry{Image: img})
			tt.damage(filepath.Join(dir, "blobs", "sha256", d.Hex))
			_, _, err := loadDeep(t, "oci-layout:"+dir, nil, imagesrc.DeepOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			t.Log(err)
		})
	}
}

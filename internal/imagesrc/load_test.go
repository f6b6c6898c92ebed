package imagesrc_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/imagesrc/imagesrctest"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

func TestParse(t *testing.T) {
	tests := []struct {
		ref     string
		want    imagesrc.Source // Ref and Name are not compared
		wantErr string
	}{
		{ref: "oci-layout:out", want: imagesrc.Source{Kind: imagesrc.OCILayout, Path: "out", Index: -1}},
		{ref: "oci-layout:./out:v1", want: imagesrc.Source{Kind: imagesrc.OCILayout, Path: "./out", Tag: "v1", Index: -1}},
		{ref: "oci:out:v1", want: imagesrc.Source{Kind: imagesrc.OCILayout, Path: "out", Tag: "v1", Index: -1}},
		{ref: "oci-layout:/tmp/out@sha256:" + strings.Repeat("a", 64), want: imagesrc.Source{Kind: imagesrc.OCILayout, Path: "/tmp/out", Digest: "sha256:" + strings.Repeat("a", 64), Index: -1}},
		{ref: "oci-layout:out@sha256:abc", wantErr: "invalid digest"},
		{ref: "oci-layout:", wantErr: "names no directory"},
		{ref: "oci-layout:out:", wantErr: "empty tag"},
		{ref: "docker-archive:app.tar", want: imagesrc.Source{Kind: imagesrc.DockerArchive, Path: "app.tar", Index: -1}},
		{ref: "docker-archive:app.tar:app:v1", want: imagesrc.Source{Kind: imagesrc.DockerArchive, Path: "app.tar", Tag: "app:v1", Index: -1}},
		{ref: "docker-archive:app.tar:@1", want: imagesrc.Source{Kind: imagesrc.DockerArchive, Path: "app.tar", Index: 1}},
		{ref: "docker-archive:app.tar:@x", wantErr: "invalid image index"},
		{ref: "docker-archive:", wantErr: "names no file"},
		{ref: "alpine:3.20", want: imagesrc.Source{Kind: imagesrc.Registry, Index: -1}},
		{ref: "docker://alpine", want: imagesrc.Source{Kind: imagesrc.Registry, Index: -1}},
		{ref: "localhost:5000/app", want: imagesrc.Source{Kind: imagesrc.Registry, Index: -1}},
		{ref: "Alpine", wantErr: "invalid image reference"},
		{ref: "https://ghcr.io/x", wantErr: "invalid image reference"},
		{ref: "containers-storage:app", wantErr: "transport is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := imagesrc.Parse(tt.ref)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Ref != tt.ref || (got.Kind == imagesrc.Registry) != (got.Name != nil) {
				t.Errorf("Ref %q, Name %v", got.Ref, got.Name)
			}
			got.Ref, got.Name = "", nil
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if ref, ok := imagesrc.RegistryRef("docker://alpine"); !ok || ref != "alpine" {
		t.Errorf("RegistryRef docker:// = %q %v", ref, ok)
	}
	if _, ok := imagesrc.RegistryRef("oci-layout:x"); ok {
		t.Error("RegistryRef oci-layout")
	}
}

// spec is a small image with a recognisable history.
func spec(user string, platform string) registrytest.Spec {
	return registrytest.Spec{
		Platform: platform,
		User:     user,
		Volumes:  []string{"/data"},
		Cmd:      []string{"/bin/sh", "-c", "serve"},
		History: []registrytest.Step{
			{CreatedBy: "/bin/sh -c #(nop) ADD file:abc in / "},
			{CreatedBy: `/bin/sh -c #(nop)  CMD ["sh"]`, Empty: true},
			{CreatedBy: "RUN /bin/sh -c apt-get update # buildkit"},
			{CreatedBy: "VOLUME [/data]", Empty: true},
		},
	}
}

func load(t *testing.T, ref, platform string) (*image.Image, error) {
	t.Helper()
	src, err := imagesrc.Parse(ref)
	if err != nil {
		t.Fatal(err)
	}
	res := imagesrc.Load(context.Background(), []imagesrc.Source{src}, platform, nil)
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	if (res[0].Image == nil) == (res[0].Err == nil) {
		t.Fatalf("image %v and error %v", res[0].Image, res[0].Err)
	}
	return res[0].Image, res[0].Err
}

func mustLoad(t *testing.T, ref, platform string) *image.Image {
	t.Helper()
	img, err := load(t, ref, platform)
	if err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	return img
}

func wantErr(t *testing.T, ref, platform, want string) {
	t.Helper()
	_, err := load(t, ref, platform)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: error %v, want %q", ref, err, want)
	}
}

func checkImage(t *testing.T, img *image.Image, ref, user, arch string) {
	t.Helper()
	if img.Ref != ref || img.User != user || img.Architecture != arch || img.OS != "linux" {
		t.Errorf("image %s: ref %q user %q platform %s/%s", ref, img.Ref, img.User, img.OS, img.Architecture)
	}
	if !slices.Equal(img.Volumes, []string{"/data"}) || !slices.Equal(img.Cmd, []string{"/bin/sh", "-c", "serve"}) {
		t.Errorf("volumes %q cmd %q", img.Volumes, img.Cmd)
	}
	if len(img.History) != 4 || img.History[2].CreatedBy != "RUN /bin/sh -c apt-get update # buildkit" || !img.History[1].EmptyLayer {
		t.Errorf("history %+v", img.History)
	}
	if len(img.Layers) != 2 || img.Layers[0].Size == 0 || !strings.HasPrefix(img.Layers[0].Digest, "sha256:") {
		t.Errorf("layers %+v", img.Layers)
	}
}

func TestOCILayout(t *testing.T) {
	dir := t.TempDir()
	amd := registrytest.Image(t, spec("amd", "linux/amd64"))
	arm := registrytest.Image(t, spec("arm", "linux/arm64"))
	other := registrytest.Image(t, spec("other", ""))

	single := filepath.Join(dir, "single")
	imagesrctest.WriteLayout(t, single, imagesrctest.Entry{Image: amd})
	img := mustLoad(t, "oci-layout:"+single, "")
	checkImage(t, img, "oci-layout:"+single, "amd", "amd64")
	if dg, _ := amd.Digest(); img.Digest != dg.String() {
		t.Errorf("digest %s, want %s", img.Digest, dg)
	}
	// A single image is linted whatever --platform says: it is the one named.
	mustLoad(t, "oci-layout:"+single, "linux/arm64")

	tagged := filepath.Join(dir, "tagged")
	imagesrctest.WriteLayout(t, tagged,
		imagesrctest.Entry{Image: amd, Tag: "v1"},
		imagesrctest.Entry{Image: other, Tag: "example.com/app:v2"})
	checkImage(t, mustLoad(t, "oci-layout:"+tagged+":v1", ""), "oci-layout:"+tagged+":v1", "amd", "amd64")
	checkImage(t, mustLoad(t, "oci-layout:"+tagged+":v2", ""), "oci-layout:"+tagged+":v2", "other", "amd64")
	wantErr(t, "oci-layout:"+tagged+":v3", "", `no image tagged "v3"`)
	wantErr(t, "oci-layout:"+tagged, "", "holds 2 images; name one as oci-layout:"+tagged+":TAG")
	wantErr(t, "oci-layout:"+tagged, "", "v1 (sha256:")
	odg, _ := other.Digest()
	checkImage(t, mustLoad(t, "oci-layout:"+tagged+"@"+odg.String(), ""), "oci-layout:"+tagged+"@"+odg.String(), "other", "amd64")
	wantErr(t, "oci-layout:"+tagged+"@sha256:"+strings.Repeat("0", 64), "", "has no manifest sha256:000")

	// buildx --output type=oci: one index with platforms and attestations.
	multi := filepath.Join(dir, "multi")
	imagesrctest.WriteLayout(t, multi, imagesrctest.Entry{Index: registrytest.AttestedIndex(t, amd, arm), Tag: "latest"})
	checkImage(t, mustLoad(t, "oci-layout:"+multi, ""), "oci-layout:"+multi, "amd", "amd64")
	checkImage(t, mustLoad(t, "oci-layout:"+multi+":latest", "linux/arm64"), "oci-layout:"+multi+":latest", "arm", "arm64")
	wantErr(t, "oci-layout:"+multi, "linux/s390x", "no image for platform linux/s390x; it has linux/amd64, linux/arm64")
	// A child manifest can be named by digest.
	adg, _ := arm.Digest()
	checkImage(t, mustLoad(t, "oci-layout:"+multi+"@"+adg.String(), ""), "oci-layout:"+multi+"@"+adg.String(), "arm", "arm64")

	// Without --platform, an index with one platform that is not amd64 is read.
	armOnly := filepath.Join(dir, "armonly")
	imagesrctest.WriteLayout(t, armOnly, imagesrctest.Entry{Index: registrytest.Index(t, arm)})
	checkImage(t, mustLoad(t, "oci-layout:"+armOnly, ""), "oci-layout:"+armOnly, "arm", "arm64")
	wantErr(t, "oci-layout:"+armOnly, "linux/amd64", "no image for platform linux/amd64")

	// Platform images appended one by one (crane pull --platform, several times).
	perPlatform := filepath.Join(dir, "perplatform")
	imagesrctest.WriteLayout(t, perPlatform,
		imagesrctest.Entry{Image: amd, Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}},
		imagesrctest.Entry{Image: arm, Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}})
	checkImage(t, mustLoad(t, "oci-layout:"+perPlatform, "linux/arm64"), "oci-layout:"+perPlatform, "arm", "arm64")
}

func TestOCILayoutErrors(t *testing.T) {
	dir := t.TempDir()
	wantErr(t, "oci-layout:"+filepath.Join(dir, "nope"), "", "no such directory")
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "oci-layout:"+file, "", "is not a directory")
	wantErr(t, "oci-layout:"+dir, "", "is not an OCI image layout: it has no index.json")

	write := func(name, content string) string {
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "index.json"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	wantErr(t, "oci-layout:"+write("badjson", "{not json"), "", "invalid index.json")
	wantErr(t, "oci-layout:"+write("empty", `{"schemaVersion":2,"manifests":[]}`), "", "holds no image")
	missing := write("missing", `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":10,"digest":"sha256:`+strings.Repeat("1", 64)+`"}]}`)
	wantErr(t, "oci-layout:"+missing, "", "is missing")
	traversal := write("traversal", `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":10,"digest":"sha256:../../etc/passwd"}]}`)
	_, err := load(t, "oci-layout:"+traversal, "")
	if err == nil {
		t.Error("a digest with a path was accepted")
	}

	// A corrupt blob: the config no longer matches its digest.
	good := filepath.Join(dir, "corrupt")
	img := registrytest.Image(t, spec("u", ""))
	imagesrctest.WriteLayout(t, good, imagesrctest.Entry{Image: img})
	cfgName, _ := img.ConfigName()
	cfgPath := filepath.Join(good, "blobs", "sha256", cfgName.Hex)
	cfgRaw, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, bytes.Replace(cfgRaw, []byte(`"u"`), []byte(`"0"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "oci-layout:"+good, "", "does not match its digest")
	// A blob of another size than its descriptor declares.
	if err := os.WriteFile(cfgPath, []byte(`{"config":`), 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "oci-layout:"+good, "", "is 10 bytes, its descriptor declares")

	// Invalid JSON under a matching digest.
	blob := func(d, content string) string {
		sum := sha256.Sum256([]byte(content))
		h := hex.EncodeToString(sum[:])
		if err := os.MkdirAll(filepath.Join(d, "blobs", "sha256"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "blobs", "sha256", h), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf(`{"mediaType":"application/vnd.oci.image.%%s.v1+json","size":%d,"digest":"sha256:%s"}`, len(content), h)
	}
	cj := filepath.Join(dir, "badconfig")
	cfgDesc := fmt.Sprintf(blob(cj, "{bad json"), "config")
	manDesc := fmt.Sprintf(blob(cj, `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":`+cfgDesc+`,"layers":[]}`), "manifest")
	write("badconfig", `{"schemaVersion":2,"manifests":[`+manDesc+`]}`)
	wantErr(t, "oci-layout:"+cj, "", "invalid JSON")
	mj := filepath.Join(dir, "badmanifest")
	manDesc = fmt.Sprintf(blob(mj, "[1, 2"), "manifest")
	write("badmanifest", `{"schemaVersion":2,"manifests":[`+manDesc+`]}`)
	wantErr(t, "oci-layout:"+mj, "", "invalid JSON")

	bad := filepath.Join(dir, "badmarker")
	imagesrctest.WriteLayout(t, bad, imagesrctest.Entry{Image: img})
	if err := os.WriteFile(filepath.Join(bad, "oci-layout"), []byte("nope"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "oci-layout:"+bad, "", "its oci-layout file is not")
}

func TestDockerArchive(t *testing.T) {
	dir := t.TempDir()
	a := registrytest.Image(t, spec("a", ""))
	b := registrytest.Image(t, spec("b", ""))
	one := filepath.Join(dir, "one.tar")
	imagesrctest.WriteArchive(t, one, map[string]v1.Image{"app:v1": a})
	img := mustLoad(t, "docker-archive:"+one, "")
	checkImage(t, img, "docker-archive:"+one, "a", "amd64")
	if img.Digest != "" {
		t.Errorf("a docker archive has no manifest digest, got %s", img.Digest)
	}
	checkImage(t, mustLoad(t, "docker-archive:"+one+":app:v1", ""), "docker-archive:"+one+":app:v1", "a", "amd64")
	checkImage(t, mustLoad(t, "docker-archive:"+one+":index.docker.io/library/app:v1", ""), "docker-archive:"+one+":index.docker.io/library/app:v1", "a", "amd64")

	two := filepath.Join(dir, "two.tar")
	imagesrctest.WriteArchive(t, two, map[string]v1.Image{"app:v1": a, "app:v2": b})
	wantErr(t, "docker-archive:"+two, "", "holds 2 images; name one as docker-archive:"+two+":NAME:TAG")
	wantErr(t, "docker-archive:"+two, "", "@0 (app:v")
	checkImage(t, mustLoad(t, "docker-archive:"+two+":app:v2", ""), "docker-archive:"+two+":app:v2", "b", "amd64")
	if img := mustLoad(t, "docker-archive:"+two+":@1", ""); img.User != "a" && img.User != "b" {
		t.Errorf("@1: user %q", img.User)
	}
	wantErr(t, "docker-archive:"+two+":@2", "", "there is no @2")
	wantErr(t, "docker-archive:"+two+":app:v3", "", `no image tagged "app:v3"`)

	wantErr(t, "docker-archive:"+filepath.Join(dir, "nope.tar"), "", "no such file")
	wantErr(t, "docker-archive:"+dir, "", "is a directory")
	notTar := filepath.Join(dir, "not.tar")
	if err := os.WriteFile(notTar, []byte(strings.Repeat("not a tar archive ", 64)), 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "docker-archive:"+notTar, "", "not a valid tar archive")
	empty := filepath.Join(dir, "empty.tar")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "docker-archive:"+empty, "", "has no manifest.json")
}

// fakeResolver answers from a table and records the requests.
type fakeResolver struct {
	imgs  map[string]*image.Image
	calls [][]registry.Request
}

func (f *fakeResolver) Resolve(_ context.Context, reqs []registry.Request) []registry.Result {
	f.calls = append(f.calls, reqs)
	out := make([]registry.Result, len(reqs))
	for i, q := range reqs {
		if img, ok := f.imgs[q.Ref]; ok {
			out[i] = registry.Result{Image: img}
		} else {
			out[i] = registry.Result{Err: &registry.Error{Ref: q.Ref, Reason: registry.ReasonNotFound, Detail: "MANIFEST_UNKNOWN"}}
		}
	}
	return out
}

func TestLoadMixed(t *testing.T) {
	dir := t.TempDir()
	imagesrctest.WriteLayout(t, filepath.Join(dir, "l"), imagesrctest.Entry{Image: registrytest.Image(t, spec("local", ""))})
	shared := &image.Image{Ref: "alpine:3", User: "remote"}
	res := &fakeResolver{imgs: map[string]*image.Image{"alpine:3": shared}}
	var sources []imagesrc.Source
	for _, ref := range []string{"docker://alpine:3", "oci-layout:" + filepath.Join(dir, "l"), "missing:1"} {
		s, err := imagesrc.Parse(ref)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, s)
	}
	out := imagesrc.Load(context.Background(), sources, "linux/arm64", res)
	if len(res.calls) != 1 || len(res.calls[0]) != 2 || res.calls[0][0] != (registry.Request{Ref: "alpine:3", Platform: "linux/arm64"}) {
		t.Errorf("resolver calls %+v", res.calls)
	}
	if out[0].Err != nil || out[0].Image.User != "remote" || out[0].Image.Ref != "docker://alpine:3" {
		t.Errorf("registry result %+v", out[0])
	}
	if shared.Ref != "alpine:3" {
		t.Error("the resolver's image was modified")
	}
	if out[1].Err != nil || out[1].Image.User != "local" {
		t.Errorf("local result %+v", out[1])
	}
	var re *registry.Error
	if out[2].Err == nil || !errors.As(out[2].Err, &re) || out[2].Err.Error() != "could not fetch the image: not found (MANIFEST_UNKNOWN)" {
		t.Errorf("missing: %v", out[2].Err)
	}
}

func TestLoadFromRegistry(t *testing.T) {
	srv := registrytest.New(t)
	srv.Push(t, "team/app:1", registrytest.Image(t, spec("reg", "")))
	r := registry.New(registry.WithCacheDir(""))
	src, err := imagesrc.Parse(srv.Ref("team/app:1"))
	if err != nil {
		t.Fatal(err)
	}
	out := imagesrc.Load(context.Background(), []imagesrc.Source{src}, "", r)
	if out[0].Err != nil {
		t.Fatal(out[0].Err)
	}
	checkImage(t, out[0].Image, srv.Ref("team/app:1"), "reg", "amd64")
}

// TestDockerArchiveLegacy reads the classic `docker save` layout: ./-prefixed
// names, <id>/layer.tar layers, a repeated layer stored as a symlink, and
// the whole archive gzipped.
func TestDockerArchiveLegacy(t *testing.T) {
	cfg := `{"architecture":"amd64","os":"linux","config":{"User":"1"},"rootfs":{"type":"layers","diff_ids":["sha256:` + strings.Repeat("1", 64) + `","sha256:` + strings.Repeat("1", 64) + `"]},"history":[{"created_by":"ADD a /"},{"created_by":"ADD a /"}]}`
	manifest := `[{"Config":"cfg.json","RepoTags":["legacy:1"],"Layers":["l1/layer.tar","l2/layer.tar"]}]`
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	add := func(h *tar.Header, body string) {
		h.Size = int64(len(body))
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	add(&tar.Header{Name: "./l1/layer.tar"}, strings.Repeat("x", 1000))
	add(&tar.Header{Name: "./l2/layer.tar", Typeflag: tar.TypeSymlink, Linkname: "../l1/layer.tar"}, "")
	add(&tar.Header{Name: "./cfg.json"}, cfg)
	add(&tar.Header{Name: "./manifest.json"}, manifest)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "legacy.tar.gz")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	img := mustLoad(t, "docker-archive:"+file, "")
	if img.User != "1" || len(img.Layers) != 2 || img.Layers[1].Size != 1000 || img.Layers[0].Digest != "sha256:"+strings.Repeat("1", 64) {
		t.Errorf("%+v", img)
	}
	if img.Layers[0].MediaType != "application/vnd.docker.image.rootfs.diff.tar" {
		t.Errorf("media type %s", img.Layers[0].MediaType)
	}
}

func TestDockerArchiveCorrupt(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, files map[string]string) string {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, n := range []string{"cfg.json", "manifest.json"} {
			body, ok := files[n]
			if !ok {
				continue
			}
			if err := tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write([]byte(body)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wantErr(t, "docker-archive:"+mk("badmanifest.tar", map[string]string{"manifest.json": "[{"}), "", "invalid manifest.json")
	wantErr(t, "docker-archive:"+mk("badconfig.tar", map[string]string{"manifest.json": `[{"Config":"cfg.json","Layers":[]}]`, "cfg.json": "{bad"}), "", "config cfg.json: invalid JSON")
	wantErr(t, "docker-archive:"+mk("noconfig.tar", map[string]string{"manifest.json": `[{"Config":"cfg.json","Layers":[]}]`}), "", `the config "cfg.json" named in manifest.json is not in the archive`)
	wantErr(t, "docker-archive:"+mk("nolayer.tar", map[string]string{"manifest.json": `[{"Config":"cfg.json","Layers":["l/layer.tar"]}]`, "cfg.json": "{}"}), "", `the layer "l/layer.tar" named in manifest.json is not in the archive`)
	wantErr(t, "docker-archive:"+mk("empty.tar", map[string]string{"manifest.json": `[]`}), "", "holds no image")
}

// tarEntry is an entry of a test archive: a regular file of body, or of
// size zero bytes when size > 0; a symlink when link is set.
type tarEntry struct {
	name, body, link string
	size             int64
}

// writeArchive writes entries as a tar file, gzip-compressed when gz.
func writeArchive(t *testing.T, p string, gz bool, entries ...tarEntry) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(e.body))}
		if e.link != "" {
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.link, 0
		}
		if e.size > 0 {
			h.Size = e.size
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		var err error
		if e.size > 0 {
			_, err = io.CopyN(tw, zeroReader{}, e.size)
		} else {
			_, err = io.WriteString(tw, e.body)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestDockerArchiveAmbiguous: an archive that holds a name it uses
// (manifest.json, the config, a layer) more than once is refused: the
// size check and the read must concern one entry, or a small entry's size
// lets a huge one with the same name be read. No entry is read past the
// limits, whatever the names.
func TestDockerArchiveAmbiguous(t *testing.T) {
	const cfg = `{"architecture":"amd64","os":"linux","config":{"User":"1"},"rootfs":{"type":"layers","diff_ids":[]}}`
	man := func(layers ...string) string {
		b, _ := json.Marshal([]map[string]any{{"Config": "config.json", "RepoTags": []string{"x:1"}, "Layers": append([]string{}, layers...)}})
		return string(b)
	}
	huge := tarEntry{name: "config.json", size: 9 << 20} // over the 8 MiB limit
	tests := []struct {
		name    string
		entries []tarEntry
		want    string // "" when the archive is read
	}{
		{"huge config, then a small one", []tarEntry{huge, {name: "config.json", body: cfg}, {name: "manifest.json", body: man()}},
			`holds 2 entries named "config.json"`},
		{"small config, then a huge one", []tarEntry{{name: "config.json", body: cfg}, huge, {name: "manifest.json", body: man()}},
			`holds 2 entries named "config.json"`},
		{"./-prefixed duplicate", []tarEntry{{name: "./config.json", body: "{}"}, {name: "config.json", body: cfg}, {name: "manifest.json", body: man()}},
			`holds 2 entries named "config.json"`},
		{"config file and link", []tarEntry{{name: "real.json", body: cfg}, {name: "config.json", body: "{}"}, {name: "config.json", link: "real.json"}, {name: "manifest.json", body: man()}},
			`holds 2 entries named "config.json"`},
		{"duplicate link target", []tarEntry{{name: "real.json", body: cfg}, {name: "real.json", body: "{}"}, {name: "config.json", link: "real.json"}, {name: "manifest.json", body: man()}},
			`holds 2 entries named "real.json"`},
		{"two manifests", []tarEntry{{name: "config.json", body: cfg}, {name: "manifest.json", body: man()}, {name: "manifest.json", body: man()}},
			"more than one manifest.json"},
		{"duplicate layer", []tarEntry{{name: "config.json", body: cfg}, {name: "l/layer.tar", body: "a"}, {name: "l/layer.tar", body: "bb"}, {name: "manifest.json", body: man("l/layer.tar")}},
			`holds 2 entries named "l/layer.tar"`},
		{"huge config alone", []tarEntry{huge, {name: "manifest.json", body: man()}},
			"the config config.json is larger than 8 MiB"},
		{"huge manifest.json", []tarEntry{{name: "config.json", body: cfg}, {name: "manifest.json", size: 5 << 20}},
			"manifest.json is larger than 4 MiB"},
		// Duplicates of names that are not used do no harm.
		{"unused duplicate", []tarEntry{{name: "config.json", body: cfg}, {name: "x", body: "1"}, {name: "x", body: "2"}, {name: "l/layer.tar", body: "a"}, {name: "l2/layer.tar", link: "../l/layer.tar"}, {name: "manifest.json", body: man("l/layer.tar", "l2/layer.tar")}},
			""},
	}
	for _, tc := range tests {
		for _, gz := range []bool{false, true} {
			name := tc.name
			if gz {
				name += " (gzip)"
			}
			t.Run(name, func(t *testing.T) {
				p := filepath.Join(t.TempDir(), "a.tar")
				writeArchive(t, p, gz, tc.entries...)
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				start := time.Now()
				img, err := load(t, "docker-archive:"+p, "")
				elapsed := time.Since(start)
				runtime.ReadMemStats(&after)
				// Nothing over a limit is ever read into memory.
				if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
					t.Errorf("allocated %d MiB", n>>20)
				}
				if elapsed > 5*time.Second {
					t.Errorf("took %s", elapsed)
				}
				if tc.want == "" {
					if err != nil {
						t.Fatal(err)
					}
					if img.User != "1" || len(img.Layers) != 2 {
						t.Errorf("image %+v", img)
					}
				} else if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want %q", err, tc.want)
				}
			})
		}
	}
}

// sha512Layout writes an OCI layout whose blobs are all named by sha512
// digests (an image of one uncompressed layer), with tamper ("index", "manifest",
// "config" or "layer") overwritten by content of the same size that does
// not match its digest.
func sha512Layout(t *testing.T, dir, tamper string) {
	t.Helper()
	blobs := filepath.Join(dir, "blobs", "sha512")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(what string, b []byte) (string, int) {
		sum := sha512.Sum512(b)
		h := hex.EncodeToString(sum[:])
		if what == tamper {
			b = bytes.Clone(b)
			b[len(b)/2] ^= 1
		}
		if err := os.WriteFile(filepath.Join(blobs, h), b, 0o644); err != nil {
			t.Fatal(err)
		}
		return "sha512:" + h, len(b)
	}
	l := imagesrctest.Layer(t, imagesrctest.File{Name: "app/"}, imagesrctest.File{Name: "app/data", Size: 1000})
	// Uncompressed, so that a changed byte leaves a valid tar stream: only
	// the digest tells.
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	layer, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	diffID, err := l.DiffID()
	if err != nil {
		t.Fatal(err)
	}
	ldg, lsize := put("layer", layer)
	cfg := fmt.Sprintf(`{"architecture":"amd64","os":"linux","config":{"User":"sha512"},"rootfs":{"type":"layers","diff_ids":[%q]},"history":[{"created_by":"COPY app /app"}]}`, diffID)
	cdg, csize := put("config", []byte(cfg))
	man := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":%q,"size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":%q,"size":%d}]}`, cdg, csize, ldg, lsize)
	mdg, msize := put("manifest", []byte(man))
	idx := fmt.Sprintf(`{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":%q,"size":%d}]}`, mdg, msize)
	if err := os.WriteFile(filepath.Join(dir, "index.json"), []byte(idx), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOCILayoutSHA512: blobs named by sha512 digests are verified like
// sha256 ones (a layout could otherwise make dockvet trust any content by
// naming it sha512), and other algorithms are refused.
func TestOCILayoutSHA512(t *testing.T) {
	for _, tc := range []struct {
		tamper  string
		loadErr string // "" when the image loads
		deepErr string // "" when its layers read
	}{
		{"", "", ""},
		{"manifest", "the manifest blob sha512:", ""},
		{"config", "the config blob sha512:", ""},
		{"layer", "", "the layer blob does not match its digest"},
	} {
		t.Run("tamper "+tc.tamper, func(t *testing.T) {
			dir := t.TempDir()
			sha512Layout(t, dir, tc.tamper)
			src, err := imagesrc.Parse("oci-layout:" + dir)
			if err != nil {
				t.Fatal(err)
			}
			res := imagesrc.Load(context.Background(), []imagesrc.Source{src}, "", nil)
			if tc.loadErr != "" {
				if err := res[0].Err; err == nil || !strings.Contains(err.Error(), tc.loadErr) || !strings.Contains(err.Error(), "does not match its digest") {
					t.Fatalf("Load: %v, want %q ... does not match its digest", err, tc.loadErr)
				}
				return
			}
			if res[0].Err != nil {
				t.Fatalf("Load: %v", res[0].Err)
			}
			if res[0].Image.User != "sha512" {
				t.Errorf("user %q", res[0].Image.User)
			}
			_, err = imagesrc.Deep(context.Background(), src, res[0].Image, imagesrc.DeepOptions{})
			switch {
			case tc.deepErr == "" && err != nil:
				t.Fatalf("Deep: %v", err)
			case tc.deepErr != "" && (err == nil || !strings.Contains(err.Error(), tc.deepErr)):
				t.Fatalf("Deep: %v, want %q", err, tc.deepErr)
			}
		})
	}
	// An algorithm that cannot be verified is refused.
	dir := t.TempDir()
	idx := `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"md5:d41d8cd98f00b204e9800998ecf8427e","size":10}]}`
	if err := os.WriteFile(filepath.Join(dir, "index.json"), []byte(idx), 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "oci-layout:"+dir, "", "unsupported hash")
}

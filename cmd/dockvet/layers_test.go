package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc/imagesrctest"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
	"github.com/dockvet/dockvet/internal/report"
	"github.com/dockvet/dockvet/internal/rule"
)

// sizedStep is a history entry; Size > 0 adds a layer of that many bytes
// (the blob is not a real tar: nothing here reads layers), Size 0 none.
type sizedStep struct {
	createdBy string
	size      int
}

// sizedImage builds an image whose layers have the given sizes in its
// manifest, deterministically.
func sizedImage(t *testing.T, volumes []string, steps ...sizedStep) v1.Image {
	t.Helper()
	img := empty.Image
	for i, st := range steps {
		add := mutate.Addendum{History: v1.History{CreatedBy: st.createdBy, EmptyLayer: st.size == 0}}
		if st.size > 0 {
			add.Layer = static.NewLayer(bytes.Repeat([]byte{byte('a' + i)}, st.size), types.OCILayer)
		}
		var err error
		if img, err = mutate.Append(img, add); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Cmd = []string{"/app/run"}
	cf.Config.User = "10001"
	cf.Config.Volumes = map[string]struct{}{}
	for _, v := range volumes {
		cf.Config.Volumes[v] = struct{}{}
	}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}

// bigSpec is an image whose third entry makes a layer over the limits of
// sizesConfig.
func bigSteps() []sizedStep {
	return []sizedStep{
		{"/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / ", 200 << 10},
		{`/bin/sh -c #(nop)  CMD ["bash"]`, 0},
		{"RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends build-essential python3-dev libpq-dev && rm -rf /var/lib/apt/lists/* # buildkit", 600 << 10},
		{"COPY . /app # buildkit", 64 << 10},
		{"USER 10001", 0},
		{"VOLUME [/data]", 0},
		{"COPY seed /data # buildkit", 1000},
		{`CMD ["/app/run"]`, 0},
	}
}

const sizesConfig = "max-layer-size: 512KiB\nmax-image-size: 768KiB\n"

// inLayersDir writes oci-layout big (tag v1) and a config with small size
// limits into a fresh working directory; it returns the repository root.
func inLayersDir(t *testing.T) string {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	imagesrctest.WriteLayout(t, filepath.Join(dir, "big"), imagesrctest.Entry{Image: sizedImage(t, []string{"/data"}, bigSteps()...), Tag: "v1"})
	if err := os.WriteFile(filepath.Join(dir, "sizes.yaml"), []byte(sizesConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	return root
}

func TestImageLayers(t *testing.T) {
	root := inLayersDir(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		// The config's limits reach the image rules: DV410 on entry 3, DV411.
		{"image.layers.text", []string{"image", "--layers", "--color", "never", "--config", "sizes.yaml", "oci-layout:big:v1"}, 1},
		// Default limits: no size finding (DV100 remains).
		{"image.layers.default.text", []string{"image", "--layers", "oci-layout:big:v1"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if errOut != "" {
				t.Errorf("stderr: %s", errOut)
			}
			imageGolden(t, root, tt.name, out)
		})
	}
}

// TestLayersMachineFormats: with a format other than text the picture goes
// to stderr and stdout is exactly what it is without --layers.
func TestLayersMachineFormats(t *testing.T) {
	inLayersDir(t)
	writeContext(t, "ctx", lintLayersTree())
	for _, args := range [][]string{
		{"image", "--config", "sizes.yaml", "oci-layout:big:v1"},
		{"lint", "ctx/Dockerfile"},
	} {
		for _, format := range []string{"json", "gnu"} {
			base := append([]string{args[0], "-f", format}, args[1:]...)
			code, want, errWant := runCLI(t, "", base...)
			gotCode, got, errOut := runCLI(t, "", append(base, "--layers")...)
			if gotCode != code || got != want {
				t.Errorf("%v: --layers changed stdout (exit %d, was %d):\n%s\n--- without:\n%s", base, gotCode, code, got, want)
			}
			if !strings.Contains(errOut, "created by") || !strings.Contains(errOut, "total: ") || !strings.HasPrefix(errOut, errWant) && errWant != "" {
				t.Errorf("%v: stderr lacks the picture:\n%s", base, errOut)
			}
			if strings.Contains(errOut, "\x1b[") {
				t.Errorf("%v: colored stderr that is no terminal", base)
			}
			if format == "json" && !json.Valid([]byte(got)) {
				t.Errorf("%v: invalid JSON", base)
			}
		}
	}
	// --color always colors the picture on stderr too.
	_, _, errOut := runCLI(t, "", "image", "-f", "json", "--layers", "--color", "always", "oci-layout:big:v1")
	if !strings.Contains(errOut, "\x1b[") {
		t.Errorf("--color always: no color on stderr:\n%s", errOut)
	}
}

// lintLayersTree is a build context with sparse files (Truncate: 300 MiB
// costs nothing) and a .dockerignore.
func lintLayersTree() map[string]int64 {
	return map[string]int64{
		"Dockerfile":         -1,
		".dockerignore":      -2,
		"src/app.py":         12 << 10,
		"src/lib/util.py":    3000,
		"models/weights.bin": 300 << 20,
		"models/vocab.txt":   800 << 10,
		"node_modules/x.js":  50 << 20, // ignored
		"app.tar.gz":         2 << 20,
	}
}

const layersDockerfile = `FROM python:3.12-slim AS build
RUN pip install --prefix=/install flask
FROM python:3.12-slim AS runtime
WORKDIR /app
COPY --from=build /install /usr/local
COPY src/ /app/src/
COPY models/ /mnt/models/
ADD https://example.com/big.bin app.tar.gz /opt/
RUN python -m compileall /app
VOLUME ["/mnt/models"]
USER 10001
CMD ["python", "-m", "app"]
`

// writeContext writes a tree under dir: a size of -1 is the Dockerfile,
// -2 the .dockerignore, anything else a sparse file of that size.
func writeContext(t *testing.T, dir string, tree map[string]int64) {
	t.Helper()
	for name, size := range tree {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch size {
		case -1:
			if err := os.WriteFile(p, []byte(layersDockerfile), 0o644); err != nil {
				t.Fatal(err)
			}
		case -2:
			if err := os.WriteFile(p, []byte("node_modules\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		default:
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(size); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestLintLayers(t *testing.T) {
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	writeContext(t, "svc", lintLayersTree())
	code, out, errOut := runCLI(t, "", "lint", "--layers", "--color", "never", "svc/Dockerfile")
	// Offline (runCLI): the one line about the base not in the cache.
	if code != 1 || !strings.HasPrefix(errOut, "dockvet: 1 base image was not checked (offline") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
	imageGolden(t, root, "lint.layers.text", out)

	// stdin without --context: nothing is measured, and the picture says so.
	_, out, _ = runCLI(t, layersDockerfile, "lint", "--layers", "--color", "never", "-")
	for _, want := range []string{"<stdin> · final image (stage runtime)", "no build context: COPY and ADD are not measured", "[no build context]"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdin: output lacks %q:\n%s", want, out)
		}
	}
	// With --context it is.
	_, out, _ = runCLI(t, layersDockerfile, "lint", "--layers", "--color", "never", "--context", "svc", "-")
	if !strings.Contains(out, "COPY models/ /mnt/models/") || !strings.Contains(out, "300.8 MiB") {
		t.Errorf("stdin with --context:\n%s", out)
	}
}

// TestLintLayersBase resolves the base image from a registry on 127.0.0.1:
// the FROM row shows its compressed size.
func TestLintLayersBase(t *testing.T) {
	srv := registrytest.New(t)
	srv.Push(t, "team/base:1", registrytest.Image(t, registrytest.Spec{}))
	ref := srv.Ref("team/base:1")
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM "+ref+"\nCOPY Dockerfile /x\nRUN true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, errOut := runCLIEnv(t, map[string]string{}, "", "lint", "--layers", "--color", "never", df)
	for _, want := range []string{"FROM " + ref + " [base image, 1 layer]", "RUN true", "total: 3 layers, at least"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s\nstderr: %s", want, out, errOut)
		}
	}
}

// TestImageLayerTable covers what no built test image shows: a history
// that does not line up with the layers, and --deep information.
func TestImageLayerTable(t *testing.T) {
	digest := func(c string) string { return "sha256:" + strings.Repeat(c, 64) }
	layers := []image.Layer{
		{Digest: digest("a"), MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Size: 30 << 20},
		{Digest: digest("b"), MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Size: 300 << 20},
	}
	squashed := &image.Image{OS: "linux", Architecture: "arm64", Variant: "v8", Volumes: []string{"/data"}, Layers: layers,
		History: []image.History{{CreatedBy: "COPY . /"}}}
	var buf bytes.Buffer
	if err := report.WriteLayers(&buf, imageLayerTable("app:squashed", squashed, rule.Limits{}), report.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"app:squashed · linux/arm64/v8\n",
		"layer     size",
		"    2  300 MiB  ████████████████████  sha256:bbbbbbbbbbbb [over max-layer-size 256 MiB]",
		"the history (1 entry) does not line up with the 2 layers",
		"volumes: /data",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("squashed: lacks %q:\n%s", want, buf.String())
		}
	}

	deep := &image.Image{OS: "linux", Architecture: "amd64", Digest: digest("c"), Volumes: []string{"/data"}, Layers: layers,
		History: []image.History{{CreatedBy: "ADD rootfs.tar /"}, {CreatedBy: "COPY data /data # buildkit"}, {CreatedBy: "VOLUME [/data]", EmptyLayer: true}},
		Deep: &image.DeepInfo{
			UncompressedSize: 900 << 20,
			Layers:           []image.DeepLayer{{Digest: digest("a"), Entry: 1, UncompressedSize: 80 << 20, Wasted: 5 << 20}, {Digest: digest("b"), Entry: 2, UncompressedSize: 820 << 20}},
			Volumes:          []image.VolumeData{{Path: "/data", Bytes: 820 << 20, Files: 3, Layers: []image.VolumeLayer{{Layer: 1, Bytes: 820 << 20, Files: 3}}}},
		}}
	buf.Reset()
	if err := report.WriteLayers(&buf, imageLayerTable("app:deep", deep, rule.Limits{MaxLayerSize: 1 << 30}), report.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"app:deep · linux/amd64 · sha256:cccccccccccc\n",
		"    1   30 MiB  ██                    ADD rootfs.tar / [wasted 5 MiB]",
		"    2  300 MiB  ████████████████████  COPY data /data [820 MiB under VOLUME /data]",
		"    3                                 VOLUME [\"/data\"] [empty] [VOLUME /data]",
		"total: 2 layers, 330 MiB compressed, 900 MiB uncompressed",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("deep: lacks %q:\n%s", want, buf.String())
		}
	}
}

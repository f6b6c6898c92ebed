package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

// withLayers sets an image's manifest layers: one per size, gzip-compressed,
// with made-up digests.
func withLayers(sizes ...int64) func(*image.Image) {
	return func(img *image.Image) {
		img.Layers = nil
		for i, n := range sizes {
			img.Layers = append(img.Layers, image.Layer{
				Digest:    "sha256:" + strings.Repeat(fmt.Sprintf("%x", i+1), 64),
				MediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
				Size:      n,
			})
		}
	}
}

// runImageLimits runs r's CheckImage on img with size limits, as `dockvet
// image` does.
func runImageLimits(t *testing.T, r *rule.Rule, img *image.Image, limits rule.Limits) []string {
	t.Helper()
	f, _, err := imagesrc.HistoryDockerfile(img)
	if err != nil {
		t.Fatal(err)
	}
	var out []rule.Diagnostic
	pass := rule.NewImagePass(r, img, f, func(d rule.Diagnostic) { out = append(out, d) })
	pass.Limits = limits
	r.CheckImage(pass)
	return ruletest.Lines(out)
}

// checkLines compares diagnostics with "line:col-line:col substring" wants.
func checkLines(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		pos, msg, _ := strings.Cut(w, " ")
		if !strings.HasPrefix(got[i], pos+" ") || !strings.Contains(got[i], msg) {
			t.Errorf("diagnostic %d:\n got %s\nwant %s", i, got[i], w)
		}
	}
}

func TestOversizedLayerImage(t *testing.T) {
	app := steps(debianBase, "RUN /bin/sh -c apt-get update && apt-get install -y gcc # buildkit", "COPY . /app # buildkit", `-CMD ["/app/run"]`)
	tests := []struct {
		name   string
		img    *image.Image
		limits rule.Limits
		want   []string
	}{
		{"COPY layer over the default", testImage("app:1", withLayers(30*mib, 20*mib, 300*mib), app...), rule.Limits{},
			[]string{"4:1-4:12 history entry 4 `COPY . /app`: its layer (layer 3 of 3, sha256:333333333333) is 300 MiB compressed, more than max-layer-size 256 MiB; keep what the image does not need out of the build context"}},
		{"exactly the limit is fine", testImage("app:1", withLayers(30*mib, 20*mib, 256*mib), app...), rule.Limits{}, nil},
		{"RUN layer, configured limit", testImage("app:1", withLayers(30*mib, 120*mib, 1*mib), app...), rule.Limits{MaxLayerSize: 100 * mib},
			[]string{"3:1-3:45 history entry 3 `RUN apt-get update && apt-get install -y gcc`: its layer (layer 2 of 3, sha256:222222222222) is 120 MiB compressed, more than max-layer-size 100 MiB; remove caches and build tools in the same RUN"}},
		{"base layer", testImage("app:1", withLayers(300*mib, 20*mib, 1*mib), app...), rule.Limits{},
			[]string{"1:1-1:76 history entry 1 `ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 /`: its layer (layer 1 of 3, sha256:111111111111) is 300 MiB compressed, more than max-layer-size 256 MiB; this entry is part of the base image's history: start from a smaller base image"}},
		{"two layers, two findings", testImage("app:1", withLayers(300*mib, 20*mib, 400*mib), app...), rule.Limits{},
			[]string{"1:1-1:76 layer 1 of 3", "4:1-4:12 layer 3 of 3"}},
		{"history does not line up", testImage("app:1", withLayers(300*mib), app...), rule.Limits{},
			[]string{"0:0-0:0 layer 1 of 1, sha256:111111111111 is 300 MiB compressed, more than max-layer-size 256 MiB; the history does not line up with the layers (3 entries with a layer, 1 layer), so the step that made it is unknown"}},
		{"no history", testImage("app:1", withLayers(1*mib, 300*mib)), rule.Limits{},
			[]string{"0:0-0:0 layer 2 of 2, sha256:222222222222 is 300 MiB compressed, more than max-layer-size 256 MiB; the image has no history, so"}},
		{"docker archive: uncompressed", testImage("docker-archive:app.tar", func(img *image.Image) {
			withLayers(1*mib, 1*mib, 300*mib)(img)
			for i := range img.Layers {
				img.Layers[i].MediaType = "application/vnd.docker.image.rootfs.diff.tar"
			}
		}, app...), rule.Limits{},
			[]string{"4:1-4:12 is 300 MiB uncompressed, more than max-layer-size"}},
		{"deep: uncompressed size too", testImage("app:1", func(img *image.Image) {
			withLayers(1*mib, 1*mib, 300*mib)(img)
			img.Deep = &image.DeepInfo{Layers: []image.DeepLayer{{}, {}, {UncompressedSize: 900 * mib}}}
		}, app...), rule.Limits{},
			[]string{"4:1-4:12 is 300 MiB compressed (900 MiB uncompressed), more than max-layer-size 256 MiB"}},
		{"no layers", testImage("app:1", nil, app...), rule.Limits{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLines(t, runImageLimits(t, OversizedLayer, tt.img, tt.limits), tt.want)
		})
	}
}

package rules

import (
	"testing"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
)

func TestOversizedImageImage(t *testing.T) {
	app := steps(debianBase, "RUN /bin/sh -c apt-get update && apt-get install -y gcc g++ make cmake libssl-dev # buildkit", "COPY . /app # buildkit", `-CMD ["/app/run"]`)
	tests := []struct {
		name   string
		img    *image.Image
		limits rule.Limits
		want   []string
	}{
		{"over the default", testImage("app:1", withLayers(300*mib, 500*mib, 400*mib), app...), rule.Limits{},
			[]string{"0:0-0:0 the image is 1.2 GiB compressed (3 layers), more than max-image-size 1 GiB; largest: entry 3 `RUN apt-get update && apt-get install -y gcc g+…` 500 MiB, entry 4 `COPY . /app` 400 MiB, entry 1 `ADD file:4b03b5f551e3fbdf47ec609712007327828f75…` 300 MiB; the base image's part of the history (entries 1-2) is 300 MiB; start from a smaller base"}},
		{"exactly the limit is fine", testImage("app:1", withLayers(512*mib, 256*mib, 256*mib), app...), rule.Limits{}, nil},
		{"configured limit", testImage("app:1", withLayers(30*mib, 50*mib, 40*mib), app...), rule.Limits{MaxImageSize: 100 * mib},
			[]string{"0:0-0:0 the image is 120 MiB compressed (3 layers), more than max-image-size 100 MiB; largest: entry 3"}},
		{"the layer limit does not matter", testImage("app:1", withLayers(30*mib, 50*mib, 40*mib), app...), rule.Limits{MaxLayerSize: 1}, nil},
		{"FROM scratch: no base part", testImage("data:1", withLayers(700*mib, 700*mib), "COPY a /a # buildkit", "COPY b /b # buildkit"), rule.Limits{},
			[]string{"0:0-0:0 the image is 1.4 GiB compressed (2 layers), more than max-image-size 1 GiB; largest: entry 1 `COPY a /a` 700 MiB, entry 2 `COPY b /b` 700 MiB; start from"}},
		{"history does not line up", testImage("app:1", withLayers(2048*mib), app...), rule.Limits{},
			[]string{"0:0-0:0 the image is 2 GiB compressed (1 layer), more than max-image-size 1 GiB; largest: layer 1 of 1, sha256:111111111111 2 GiB; the history does not line up with the layers (3 entries with a layer, 1 layer), so the steps that made them are unknown"}},
		{"docker archive", testImage("docker-archive:app.tar", func(img *image.Image) {
			withLayers(1*mib, 1*mib, 2048*mib)(img)
			for i := range img.Layers {
				img.Layers[i].MediaType = "application/vnd.docker.image.rootfs.diff.tar"
			}
		}, app...), rule.Limits{},
			[]string{"0:0-0:0 the image is 2 GiB uncompressed (3 layers)"}},
		{"deep: uncompressed size too", testImage("app:1", func(img *image.Image) {
			withLayers(1*mib, 1*mib, 2048*mib)(img)
			img.Deep = &image.DeepInfo{UncompressedSize: 5 * gib}
		}, app...), rule.Limits{},
			[]string{"0:0-0:0 the image is 2 GiB compressed (5 GiB uncompressed, 3 layers), more than max-image-size 1 GiB"}},
		{"no layers", testImage("app:1", nil, app...), rule.Limits{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLines(t, runImageLimits(t, OversizedImage, tt.img, tt.limits), tt.want)
		})
	}
}

package rules

import (
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/image"
)

// withDeep sets an image's layers (one per non-empty history entry, in
// order) and what --deep found.
func withDeep(cfg func(*image.Image), d *image.DeepInfo) func(*image.Image) {
	return func(img *image.Image) {
		if cfg != nil {
			cfg(img)
		}
		entry := 0
		for i, h := range img.History {
			if h.EmptyLayer {
				continue
			}
			img.Layers = append(img.Layers, image.Layer{Digest: "sha256:" + strings.Repeat(string(rune('a'+entry)), 64), Size: 1 << 10})
			if d != nil && entry < len(d.Layers) {
				d.Layers[entry].Entry = i + 1
			}
			entry++
		}
		img.Deep = d
	}
}

// modelsDeep: the history is debianBase, then RUN apt (layer 1), COPY
// models (layer 2), RUN chmod (layer 3), VOLUME.
func modelsHistory(volume string) []string {
	return steps(debianBase,
		"RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit",
		"COPY models/ /mnt/models/ # buildkit",
		"RUN /bin/sh -c chmod 644 /mnt/models/model.bin # buildkit",
		volume,
	)
}

func modelsDeep() *image.DeepInfo {
	return &image.DeepInfo{
		Layers: make([]image.DeepLayer, 4),
		Volumes: []image.VolumeData{{Path: "/mnt/models", Bytes: 25 * mib, Files: 2, Layers: []image.VolumeLayer{
			{Layer: 2, Bytes: 1 * mib, Files: 1}, {Layer: 3, Bytes: 24 * mib, Files: 1},
		}}},
	}
}

func TestVolumeOverImageDataImage(t *testing.T) {
	runImageCases(t, VolumeOverImageData, []builtImageCase{
		{"own volume over image data",
			testImage("app:1", withDeep(volumes("/mnt/models"), modelsDeep()), modelsHistory("-VOLUME [/mnt/models]")...),
			[]string{"6:9-6:22 history entry 6 `VOLUME [\"/mnt/models\"]`: containerd copies 25 MiB (2 files) under /mnt/models into every container at start; they come from history entry 4 `COPY models/ /mnt/models/` (1 MiB); history entry 5 `RUN chmod 644 /mnt/models/model.bin` (24 MiB); delete the VOLUME from the Dockerfile"}},
		{"without --deep the rule is silent",
			testImage("app:1", withDeep(volumes("/mnt/models"), nil), modelsHistory("-VOLUME [/mnt/models]")...), nil},
		{"an empty volume is no finding",
			testImage("app:1", withDeep(volumes("/data"), &image.DeepInfo{Layers: make([]image.DeepLayer, 4)}), modelsHistory("-VOLUME [/data]")...), nil},
		{"inherited, declared in the base part of the history",
			testImage("app:1", withDeep(volumes("/mnt/models"), modelsDeep()),
				"ADD rootfs /", "-VOLUME [/mnt/models]", `-CMD ["bash"]`,
				"RUN /bin/sh -c apt-get update # buildkit", "COPY models/ /mnt/models/ # buildkit", "RUN /bin/sh -c chmod 644 /mnt/models/model.bin # buildkit"),
			[]string{"2:9-2:22 history entry 2 `VOLUME [\"/mnt/models\"]`, from the base image, declares VOLUME /mnt/models: containerd copies 25 MiB (2 files) under /mnt/models into every container at start; they come from history entry 5 `COPY models/ /mnt/models/` (1 MiB); history entry 6 `RUN chmod 644 /mnt/models/model.bin` (24 MiB); no Dockerfile can remove an inherited VOLUME"}},
		{"declared by no entry",
			testImage("app:1", withDeep(volumes("/mnt/models"), modelsDeep()), modelsHistory(`-CMD ["serve"]`)...),
			[]string{"0:0-0:0 the config declares VOLUME /mnt/models (no history entry does, so a base image did): containerd copies 25 MiB (2 files)"}},
	})

	// The entries that put the data there are related locations.
	img := testImage("app:1", withDeep(volumes("/mnt/models"), modelsDeep()), modelsHistory("-VOLUME [/mnt/models]")...)
	ds := runImage(t, VolumeOverImageData, img)
	if len(ds) != 1 || len(ds[0].Related) != 2 {
		t.Fatalf("%+v", ds)
	}
	for i, want := range []struct {
		line int
		msg  string
	}{{4, "puts 1 MiB under VOLUME /mnt/models"}, {5, "puts 24 MiB under VOLUME /mnt/models"}} {
		if r := ds[0].Related[i]; r.Range.Start.Line != want.line || r.Message != want.msg {
			t.Errorf("related %d: %d %q", i, r.Range.Start.Line, r.Message)
		}
	}

	// A history that does not line up names layers by position.
	img = testImage("app:1", volumes("/mnt/models"), modelsHistory("-VOLUME [/mnt/models]")...)
	img.Deep = modelsDeep()
	ds = runImage(t, VolumeOverImageData, img)
	if len(ds) != 1 || !strings.Contains(ds[0].Message, "they come from layer 3 (1 MiB); layer 4 (24 MiB)") || len(ds[0].Related) != 0 {
		t.Errorf("%+v", ds)
	}
}

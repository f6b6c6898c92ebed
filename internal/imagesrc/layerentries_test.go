package imagesrc

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/image"
)

func TestLayerEntries(t *testing.T) {
	layers := func(n int) []image.Layer { return make([]image.Layer, n) }
	hist := func(empty ...bool) []image.History {
		var h []image.History
		for _, e := range empty {
			h = append(h, image.History{CreatedBy: "x", EmptyLayer: e})
		}
		return h
	}
	tests := []struct {
		name   string
		img    *image.Image
		want   []int
		wantOK bool
	}{
		{"lined up", &image.Image{History: hist(false, true, false, false, true), Layers: layers(3)}, []int{1, 3, 4}, true},
		{"no layers, no history", &image.Image{}, nil, true},
		{"empty entries only", &image.Image{History: hist(true, true)}, nil, true},
		{"squashed: more entries than layers", &image.Image{History: hist(false, false, false), Layers: layers(1)}, nil, false},
		{"no history", &image.Image{Layers: layers(2)}, nil, false},
		{"no layer list", &image.Image{History: hist(false)}, nil, false},
		{"nil image", nil, nil, false},
	}
	for _, tt := range tests {
		got, ok := LayerEntries(tt.img)
		if ok != tt.wantOK || !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v %v, want %v %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestLayerStorage(t *testing.T) {
	img := func(types ...string) *image.Image {
		m := &image.Image{}
		for _, mt := range types {
			m.Layers = append(m.Layers, image.Layer{MediaType: mt})
		}
		return m
	}
	for _, tt := range []struct {
		img  *image.Image
		want string
	}{
		{img("application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+zstd"), "compressed"},
		{img("application/vnd.docker.image.rootfs.diff.tar.gzip"), "compressed"},
		{img("application/vnd.docker.image.rootfs.diff.tar", "application/vnd.oci.image.layer.v1.tar"), "uncompressed"},
		{img("application/vnd.docker.image.rootfs.diff.tar", "application/vnd.docker.image.rootfs.diff.tar.gzip"), "as stored"},
		{img(), "compressed"},
	} {
		if got := ImageStorage(tt.img); got != tt.want {
			t.Errorf("%v: got %s, want %s", tt.img.Layers, got, tt.want)
		}
	}
}

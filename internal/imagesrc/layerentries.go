package imagesrc

import (
	"strings"

	"github.com/dockvet/dockvet/internal/image"
)

// LayerEntries maps the manifest's layers to the history entries that made
// them: entries[i] is the 1-based history entry of img.Layers[i]. Builders
// write one history entry per step and mark the steps that made no layer
// (ENV, CMD, ...) EmptyLayer, so the k-th entry with a layer made the k-th
// layer. ok is false when the history does not line up with the layers (a
// squashed or imported image, a history that was not recorded): the number
// of entries with a layer differs from the number of layers.
func LayerEntries(img *image.Image) (entries []int, ok bool) {
	if img == nil {
		return nil, false
	}
	for i, h := range img.History {
		if !h.EmptyLayer {
			entries = append(entries, i+1)
		}
	}
	if len(entries) != len(img.Layers) {
		return nil, false
	}
	return entries, true
}

// LayerStorage says how the manifest counts a layer's size: "compressed"
// (registries and OCI layouts hold gzip or zstd tars), or "uncompressed"
// (docker save writes plain tars).
func LayerStorage(l image.Layer) string {
	if strings.HasSuffix(l.MediaType, ".tar") {
		return "uncompressed"
	}
	return "compressed"
}

// ImageStorage is LayerStorage for a whole image: "compressed",
// "uncompressed", or "as stored" when its layers differ.
func ImageStorage(img *image.Image) string {
	kind := ""
	for _, l := range img.Layers {
		switch k := LayerStorage(l); {
		case kind == "":
			kind = k
		case kind != k:
			return "as stored"
		}
	}
	if kind == "" {
		return "compressed"
	}
	return kind
}

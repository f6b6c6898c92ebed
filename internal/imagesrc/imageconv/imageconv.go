// Package imageconv turns an image's manifest and config, as
// go-containerregistry decodes them, into dockvet's image model. It is the
// one converter shared by every image source (registry, OCI layout, docker
// archive), so that rules see the same fields whatever the image came from.
package imageconv

import (
	"maps"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockvet/dockvet/internal/image"
)

// FromConfig fills an image.Image from a config and the platform manifest
// that names it. ref is the reference as the user wrote it, digest the
// manifest digest ("" when unknown). m may be nil (no layer list); cf must
// not be. Slices are copied, so the result shares nothing with cf or m.
//
// When the config names no OS and architecture, the caller may fill them
// from the index entry's platform.
func FromConfig(ref, digest string, cf *v1.ConfigFile, m *v1.Manifest) *image.Image {
	img := &image.Image{
		Ref:          ref,
		Digest:       digest,
		OS:           cf.OS,
		Architecture: cf.Architecture,
		Variant:      cf.Variant,
		User:         cf.Config.User,
		Cmd:          slices.Clone(cf.Config.Cmd),
		Entrypoint:   slices.Clone(cf.Config.Entrypoint),
		Shell:        slices.Clone(cf.Config.Shell),
		Env:          slices.Clone(cf.Config.Env),
		WorkingDir:   cf.Config.WorkingDir,
		Labels:       maps.Clone(cf.Config.Labels),
	}
	for v := range cf.Config.Volumes {
		img.Volumes = append(img.Volumes, v)
	}
	slices.Sort(img.Volumes)
	if len(cf.History) > 0 {
		img.History = make([]image.History, len(cf.History))
		for i, h := range cf.History {
			img.History[i] = image.History{CreatedBy: h.CreatedBy, Comment: h.Comment, EmptyLayer: h.EmptyLayer}
		}
	}
	if m != nil && len(m.Layers) > 0 {
		img.Layers = make([]image.Layer, len(m.Layers))
		for i, l := range m.Layers {
			img.Layers[i] = image.Layer{MediaType: string(l.MediaType), Size: l.Size}
			if l.Digest.Hex != "" {
				img.Layers[i].Digest = l.Digest.String()
			}
		}
	}
	return img
}

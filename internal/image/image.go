// Package image is dockvet's model of a built container image: what the rules
// read from a base image (lint) or from an image under test (dockvet image).
// It holds what comes from the manifest and the config and, with
// `dockvet image --deep`, a summary of the layers' contents (DeepInfo); it
// does not know where the image came from: the registry resolver and the
// local image sources (OCI layout, docker archive) fill it.
package image

import (
	"slices"
	"strings"
)

// Image is one platform's image: its manifest digest, its config and the
// layers listed in its manifest.
type Image struct {
	// Ref is the reference as the user gave it (after ARG expansion), e.g.
	// "python:3.12-slim" or "oci-layout:./out:v1". Findings print it.
	Ref string
	// Digest is the digest of the platform manifest ("sha256:..."); "" when
	// unknown (a docker archive has no manifest digest).
	Digest string
	// RefDigest is the digest the reference resolved to: the index of a
	// multi-platform image, else the same as Digest; what a reference is
	// pinned to (lint --pin), so that every platform still builds. "" when
	// unknown.
	RefDigest string
	// OS, Architecture and Variant come from the config.
	OS, Architecture, Variant string

	User       string
	Volumes    []string // sorted
	Cmd        []string
	Entrypoint []string
	Shell      []string
	Env        []string
	WorkingDir string
	// Labels are the config's labels (nil when it has none).
	Labels map[string]string
	// History is the config's history, oldest first; History[i] is the
	// 1-based "line" i+1 of a finding about a built image.
	History []History
	// Layers are the manifest's layers, oldest first.
	Layers []Layer
	// Deep is what `dockvet image --deep` read from the layers' contents;
	// nil without --deep.
	Deep *DeepInfo
}

// History is one entry of the config history.
type History struct {
	CreatedBy  string
	Comment    string
	EmptyLayer bool
}

// Layer is one manifest layer.
type Layer struct {
	Digest    string
	MediaType string
	Size      int64 // compressed size, from the manifest
}

// CompressedSize is the sum of the layers' sizes in the manifest: what a
// pull downloads.
func (img *Image) CompressedSize() int64 {
	var n int64
	for _, l := range img.Layers {
		n += l.Size
	}
	return n
}

// HasVolume reports whether the config declares the volume path p (compared
// without trailing slashes).
func (img *Image) HasVolume(p string) bool {
	p = strings.TrimRight(p, "/")
	return slices.ContainsFunc(img.Volumes, func(v string) bool { return strings.TrimRight(v, "/") == p })
}

// IsShellForm reports whether a Cmd or Entrypoint was written in shell form:
// BuildKit and the classic builder store `CMD foo` as ["/bin/sh", "-c", "foo"]
// (or the stage's SHELL followed by the command).
func IsShellForm(argv []string) bool {
	if len(argv) < 3 {
		return false
	}
	switch argv[0] {
	case "/bin/sh", "sh", "/bin/bash", "bash", "/bin/ash", "/usr/bin/sh", "/usr/bin/bash", "/bin/dash":
		return argv[1] == "-c"
	}
	return false
}

// RunsAsRoot reports whether a config user means root: empty (the runtime's
// default), or a user that IsRootUser.
func RunsAsRoot(user string) bool {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	return u == "" || IsRootUser(user)
}

// IsRootUser reports whether a user[:group] value names uid 0: "root", "0",
// "00", with or without a group ("root:staff", "0:0").
func IsRootUser(user string) bool {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	if u == "root" {
		return true
	}
	return u != "" && strings.Trim(u, "0") == ""
}

// DeepInfo is what `dockvet image --deep` learned by reading every layer's
// contents (tar headers only): uncompressed sizes, the bytes that later
// layers delete or overwrite, and what the final filesystem holds under each
// VOLUME path. Image.Deep is nil without --deep (or when the layers could
// not be read).
type DeepInfo struct {
	// Layers parallels Image.Layers.
	Layers []DeepLayer
	// UncompressedSize is the sum of the layers' uncompressed sizes.
	UncompressedSize int64
	// Wasted is the number of bytes that layers add and later layers delete
	// (whiteouts, opaque directories) or overwrite: pulled and stored, never
	// visible in a container.
	Wasted int64
	// Waste lists the largest wasted paths, largest first (at most
	// MaxWastePaths). A deleted directory is one path with its file count.
	Waste []WastedPath
	// WastePairs sums the wasted bytes by (adding layer, removing layer),
	// largest first.
	WastePairs []WastePair
	// Volumes is, for each config volume that holds files in the final
	// filesystem, what is there (sorted by path). containerd copies it into
	// every container at start.
	Volumes []VolumeData
}

// MaxWastePaths bounds DeepInfo.Waste.
const MaxWastePaths = 20

// DeepLayer is one layer as read with --deep.
type DeepLayer struct {
	Digest string
	// Entry is the 1-based history entry that made the layer (the
	// non-empty entries line up with the layers); 0 when the history does
	// not say.
	Entry int
	// UncompressedSize is the size of the layer's tar stream (its diff).
	UncompressedSize int64
	// Files counts the layer's non-directory entries (whiteouts excluded).
	Files int
	// Wasted is how many of this layer's bytes later layers delete or
	// overwrite.
	Wasted int64
}

// WasteHow says how later layers made bytes unreachable.
type WasteHow string

// The ways bytes are wasted.
const (
	WasteDeleted     WasteHow = "deleted"     // a whiteout (rm in a later RUN)
	WasteOverwritten WasteHow = "overwritten" // the same path written again (chmod/chown -R, a new version)
	WasteHidden      WasteHow = "hidden"      // an opaque directory (a later layer replaced the whole directory)
)

// WastedPath is wasted content under one path: a deleted or hidden
// directory, or one overwritten file.
type WastedPath struct {
	Path  string // absolute: "/var/lib/apt/lists"
	Bytes int64
	Files int
	Layer int // index in Layers of the layer that added the bytes
	By    int // index of the layer that deleted, overwrote or hid them
	How   WasteHow
}

// WastePair is the bytes layer Layer adds that layer By deletes, overwrites
// or hides.
type WastePair struct {
	Layer, By int
	Bytes     int64
	Files     int
}

// VolumeData is what the final filesystem holds under a VOLUME path.
type VolumeData struct {
	Path  string // as the config spells it
	Bytes int64
	Files int
	// Layers says which layers put it there, by layer index, in layer order.
	Layers []VolumeLayer
}

// VolumeLayer is one layer's share of a volume's content.
type VolumeLayer struct {
	Layer int
	Bytes int64
	Files int
}

// LayerEntry returns the 1-based history entry that made layer i, or 0.
func (d *DeepInfo) LayerEntry(i int) int {
	if d == nil || i < 0 || i >= len(d.Layers) {
		return 0
	}
	return d.Layers[i].Entry
}

// Package image is dockvet's model of a built container image: what the rules
// read from a base image (lint) or from an image under test (dockvet image).
// It holds only what comes from the manifest and the config, never layer
// contents, and it does not know where the image came from: the registry
// resolver and the local image sources (OCI layout, docker archive) fill it.
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
	// OS, Architecture and Variant come from the config.
	OS, Architecture, Variant string

	User       string
	Volumes    []string // sorted
	Cmd        []string
	Entrypoint []string
	Shell      []string
	Env        []string
	WorkingDir string
	// History is the config's history, oldest first; History[i] is the
	// 1-based "line" i+1 of a finding about a built image.
	History []History
	// Layers are the manifest's layers, oldest first.
	Layers []Layer
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

// RunsAsRoot reports whether a config user means root: empty, "root", "0",
// or either with a group ("root:staff", "0:0").
func RunsAsRoot(user string) bool {
	u, _, _ := strings.Cut(user, ":")
	return u == "" || u == "root" || u == "0"
}

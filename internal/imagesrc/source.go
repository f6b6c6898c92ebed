// Package imagesrc finds the images that `dockvet image` lints: it parses
// the references users give (registry references and the skopeo-style
// transports oci-layout:DIR[:TAG|@DIGEST] and docker-archive:FILE[:REF]),
// loads each image's manifest and config into dockvet's image model (never
// a layer), and reads an image's history as a Dockerfile so that the
// Dockerfile rules about RUN commands can judge it.
package imagesrc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Kind says where an image comes from.
type Kind int

const (
	// Registry is a registry reference (alpine:3.20, ghcr.io/org/app@sha256:...).
	Registry Kind = iota
	// OCILayout is an OCI image layout directory (oci-layout:DIR).
	OCILayout
	// DockerArchive is a `docker save` tarball (docker-archive:FILE).
	DockerArchive
)

func (k Kind) String() string {
	switch k {
	case OCILayout:
		return "oci-layout"
	case DockerArchive:
		return "docker-archive"
	}
	return "registry"
}

// Transport prefixes, as skopeo spells them. "oci:" is skopeo's name for an
// OCI layout, "docker://" its name for a registry.
const (
	prefixOCILayout     = "oci-layout:"
	prefixOCI           = "oci:"
	prefixDockerArchive = "docker-archive:"
	prefixDocker        = "docker://"
)

// unsupported are other skopeo transports, refused with a clear message
// instead of being read as a registry host.
var unsupported = []string{"oci-archive", "docker-daemon", "containers-storage", "dir", "sif", "ostree"}

// Source is one image to lint, as parsed from the command line.
type Source struct {
	// Ref is the reference as the user wrote it; findings print it.
	Ref  string
	Kind Kind
	// Path is the OCI layout directory or the docker archive file.
	Path string
	// Tag selects an image of an OCI layout by its
	// org.opencontainers.image.ref.name annotation, or of a docker archive
	// by one of its RepoTags.
	Tag string
	// Digest selects an OCI layout's manifest (or index) by digest.
	Digest string
	// Index selects a docker archive's image by position (@N, 0-based);
	// -1 when not given.
	Index int
	// Name is the parsed registry reference (Kind Registry).
	Name name.Reference
}

// Local reports whether the image is read from disk, not from a registry.
func (s Source) Local() bool { return s.Kind != Registry }

// Parse reads one reference: oci-layout:DIR[:TAG|@DIGEST] (also skopeo's
// oci:), docker-archive:FILE[:REF|:@N], docker://REF, or a registry
// reference. It checks syntax only: nothing is read.
//
// As in skopeo, the first colon after DIR or FILE starts the tag, so a path
// cannot contain a colon; a digest is the part after the last '@'.
func Parse(ref string) (Source, error) {
	src := Source{Ref: ref, Index: -1}
	switch {
	case strings.HasPrefix(ref, prefixOCILayout), strings.HasPrefix(ref, prefixOCI):
		body := strings.TrimPrefix(strings.TrimPrefix(ref, prefixOCILayout), prefixOCI)
		src.Kind = OCILayout
		if i := strings.LastIndexByte(body, '@'); i >= 0 {
			dg := body[i+1:]
			if _, err := v1.NewHash(dg); err != nil {
				return src, fmt.Errorf("invalid digest %q in %s (want @sha256:<64 hex digits>)", dg, ref)
			}
			body, src.Digest = body[:i], dg
		} else if dir, tag, ok := strings.Cut(body, ":"); ok {
			if tag == "" {
				return src, fmt.Errorf("empty tag in %s (write oci-layout:DIR, oci-layout:DIR:TAG or oci-layout:DIR@sha256:...)", ref)
			}
			body, src.Tag = dir, tag
		}
		if body == "" {
			return src, fmt.Errorf("%s names no directory (write oci-layout:DIR[:TAG|@DIGEST])", ref)
		}
		src.Path = body
		return src, nil
	case strings.HasPrefix(ref, prefixDockerArchive):
		body := strings.TrimPrefix(ref, prefixDockerArchive)
		src.Kind = DockerArchive
		if file, sel, ok := strings.Cut(body, ":"); ok {
			body = file
			switch {
			case sel == "":
				return src, fmt.Errorf("empty image reference in %s (write docker-archive:FILE, docker-archive:FILE:NAME:TAG or docker-archive:FILE:@INDEX)", ref)
			case strings.HasPrefix(sel, "@"):
				n, err := strconv.Atoi(sel[1:])
				if err != nil || n < 0 {
					return src, fmt.Errorf("invalid image index %q in %s (want @0, @1, ...)", sel, ref)
				}
				src.Index = n
			default:
				src.Tag = sel
			}
		}
		if body == "" {
			return src, fmt.Errorf("%s names no file (write docker-archive:FILE.tar[:REF])", ref)
		}
		src.Path = body
		return src, nil
	}
	plain := strings.TrimPrefix(ref, prefixDocker)
	if t, _, ok := strings.Cut(plain, ":"); ok {
		for _, u := range unsupported {
			if t == u {
				return src, fmt.Errorf("the %s: transport is not supported; copy the image to a directory first (skopeo copy %s oci:./img:latest) and lint oci-layout:./img:latest, or use a registry reference or docker-archive:FILE.tar", u, ref)
			}
		}
	}
	n, err := name.ParseReference(plain)
	if err != nil {
		return src, fmt.Errorf("invalid image reference: %w (want a registry reference such as alpine:3.20, or oci-layout:DIR[:TAG], or docker-archive:FILE.tar)", err)
	}
	src.Kind = Registry
	src.Name = n
	return src, nil
}

// RegistryRef returns the registry reference the user wrote (without a
// docker:// prefix) and true for a registry source; "" and false for a
// local one or one that does not parse.
func RegistryRef(ref string) (string, bool) {
	s, err := Parse(ref)
	if err != nil || s.Kind != Registry {
		return "", false
	}
	return strings.TrimPrefix(ref, prefixDocker), true
}

// Package imagesrctest writes images to disk the way `dockvet image` reads
// them, for tests: OCI image layouts and docker archives. Build the images
// with registrytest.Image and registrytest.Index (deterministic digests).
package imagesrctest

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Entry is one entry of an OCI layout's index.json: an image or an index,
// with an optional org.opencontainers.image.ref.name.
type Entry struct {
	Image v1.Image
	Index v1.ImageIndex
	Tag   string
	// Platform, when set, is recorded on the entry (as `crane pull
	// --platform` and some tools do for single images).
	Platform *v1.Platform
}

// WriteLayout writes an OCI image layout in dir with the given entries.
func WriteLayout(t testing.TB, dir string, entries ...Entry) {
	t.Helper()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatalf("imagesrctest: layout: %v", err)
	}
	for _, e := range entries {
		var opts []layout.Option
		if e.Tag != "" {
			opts = append(opts, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": e.Tag}))
		}
		if e.Platform != nil {
			opts = append(opts, layout.WithPlatform(*e.Platform))
		}
		switch {
		case e.Image != nil:
			err = p.AppendImage(e.Image, opts...)
		case e.Index != nil:
			err = p.AppendIndex(e.Index, opts...)
		}
		if err != nil {
			t.Fatalf("imagesrctest: layout append: %v", err)
		}
	}
}

// WriteArchive writes a docker archive (the `docker save` format) holding
// the images, keyed by their tags ("app:v1").
func WriteArchive(t testing.TB, file string, imgs map[string]v1.Image) {
	t.Helper()
	refs := map[name.Tag]v1.Image{}
	for tag, img := range imgs {
		ref, err := name.NewTag(tag)
		if err != nil {
			t.Fatalf("imagesrctest: %v", err)
		}
		refs[ref] = img
	}
	if err := tarball.MultiWriteToFile(file, refs); err != nil {
		t.Fatalf("imagesrctest: archive: %v", err)
	}
}

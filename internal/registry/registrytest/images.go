package registrytest

import (
	"fmt"
	"testing"

	"github.com/google/go-containerregistry/pkg/crane"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Spec describes a small test image. The zero Spec is a linux/amd64 image
// with one tiny layer, running as root, with no volumes and no command.
type Spec struct {
	Platform   string // "os/arch[/variant]"; default "linux/amd64"
	User       string
	Volumes    []string
	Cmd        []string
	Entrypoint []string
	Shell      []string
	Env        []string
	WorkingDir string
	Labels     map[string]string
	// History is the build steps, oldest first. A step that is not Empty
	// adds one small layer (a tar with one file). Default: one layer step,
	// "ADD rootfs.tar /".
	History []Step
}

// Step is one history entry of a Spec.
type Step struct {
	CreatedBy string
	Comment   string
	Empty     bool // no layer (ENV, USER, CMD, ...)
}

// Image builds the image spec describes. Images built from equal specs are
// identical (same digest).
func Image(t testing.TB, spec Spec) v1.Image {
	t.Helper()
	steps := spec.History
	if len(steps) == 0 {
		steps = []Step{{CreatedBy: "ADD rootfs.tar /"}}
	}
	img := empty.Image
	for i, st := range steps {
		add := mutate.Addendum{History: v1.History{CreatedBy: st.CreatedBy, Comment: st.Comment, EmptyLayer: st.Empty}}
		if !st.Empty {
			l, err := crane.Layer(map[string][]byte{fmt.Sprintf("layer%d.txt", i): []byte(st.CreatedBy)})
			if err != nil {
				t.Fatalf("registrytest: layer: %v", err)
			}
			add.Layer = l
		}
		var err error
		if img, err = mutate.Append(img, add); err != nil {
			t.Fatalf("registrytest: append: %v", err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("registrytest: config: %v", err)
	}
	cf = cf.DeepCopy()
	p := v1.Platform{OS: "linux", Architecture: "amd64"}
	if spec.Platform != "" {
		pp, err := v1.ParsePlatform(spec.Platform)
		if err != nil {
			t.Fatalf("registrytest: platform: %v", err)
		}
		p = *pp
	}
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	c := &cf.Config
	c.User, c.Cmd, c.Entrypoint, c.Shell, c.Env, c.WorkingDir = spec.User, spec.Cmd, spec.Entrypoint, spec.Shell, spec.Env, spec.WorkingDir
	c.Labels = spec.Labels
	if len(spec.Volumes) > 0 {
		c.Volumes = map[string]struct{}{}
		for _, v := range spec.Volumes {
			c.Volumes[v] = struct{}{}
		}
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatalf("registrytest: config: %v", err)
	}
	return img
}

// Index builds a multi-platform index (OCI) of imgs; each entry's platform
// is its image's config OS/architecture/variant.
func Index(t testing.TB, imgs ...v1.Image) v1.ImageIndex {
	t.Helper()
	return index(t, false, imgs)
}

// AttestedIndex is Index with, after each image, a BuildKit-style
// attestation manifest: platform unknown/unknown, annotated
// vnd.docker.reference.type=attestation-manifest.
func AttestedIndex(t testing.TB, imgs ...v1.Image) v1.ImageIndex {
	t.Helper()
	return index(t, true, imgs)
}

func index(t testing.TB, attest bool, imgs []v1.Image) v1.ImageIndex {
	t.Helper()
	var adds []mutate.IndexAddendum
	for _, img := range imgs {
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatalf("registrytest: config: %v", err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant},
		}})
		if attest {
			d, err := img.Digest()
			if err != nil {
				t.Fatalf("registrytest: digest: %v", err)
			}
			att, err := mutate.Append(empty.Image, mutate.Addendum{
				Layer: static.NewLayer([]byte(`{"_type":"https://in-toto.io/Statement/v0.1"}`), "application/vnd.in-toto+json"),
			})
			if err != nil {
				t.Fatalf("registrytest: attestation: %v", err)
			}
			att = mutate.MediaType(att, types.OCIManifestSchema1)
			att = mutate.ConfigMediaType(att, types.OCIConfigJSON)
			adds = append(adds, mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
				Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
				Annotations: map[string]string{
					"vnd.docker.reference.type":   "attestation-manifest",
					"vnd.docker.reference.digest": d.String(),
				},
			}})
		}
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
	return idx
}

// Command demoimage writes the OCI image layout that `make demo` lints with
// `dockvet image`: the model-serving image of examples/bad, as a build would
// have produced it (a VOLUME over baked-in model files, apt lists left in a
// layer, root, a shell-form CMD). Layers are tiny; only the history and the
// config matter to `dockvet image`.
package main

import (
	"fmt"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: demoimage DIR")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "demoimage:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	created := v1.Time{Time: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	steps := []struct {
		by    string
		layer bool
	}{
		{"ADD file:3f1a9c0e4d2b in / ", true},
		{`CMD ["bash"]`, false},
		{"RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl # buildkit", true},
		{"COPY models/ /mnt/models/ # buildkit", true},
		{"RUN /bin/sh -c pip install -r /srv/requirements.txt # buildkit", true},
		{"VOLUME [/mnt/models]", false},
		{`CMD ["/bin/sh" "-c" "python -m server --models /mnt/models"]`, false},
	}
	img := empty.Image
	for i, s := range steps {
		add := mutate.Addendum{History: v1.History{CreatedBy: s.by, Created: created, EmptyLayer: !s.layer}}
		if s.layer {
			add.Layer = static.NewLayer(fmt.Appendf(nil, "layer %d", i), types.OCIUncompressedLayer)
			add.MediaType = types.OCIUncompressedLayer
		}
		var err error
		if img, err = mutate.Append(img, add); err != nil {
			return err
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", "amd64", created
	cf.Config.Volumes = map[string]struct{}{"/mnt/models": {}}
	cf.Config.Cmd = []string{"/bin/sh", "-c", "python -m server --models /mnt/models"}
	cf.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "v1"}))
}

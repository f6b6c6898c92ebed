// Command demoimage writes the OCI image layout that `make demo` lints with
// `dockvet image`: the model-serving image of examples/bad, as a build would
// have produced it: a VOLUME over 64 MiB of baked-in model files, apt lists
// and a pip cache left in layers, root, a shell-form CMD.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/crane"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
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
	const mib = 1 << 20
	// Zeros compress to almost nothing, so the layout stays small on disk
	// while the sizes dockvet reports (uncompressed) look like a real image.
	steps := []struct {
		by    string
		files map[string]int // path → size; nil for an empty layer
	}{
		{"ADD file:3f1a9c0e4d2b in / ", map[string]int{"bin/sh": 1 * mib, "etc/os-release": 300}},
		{`CMD ["bash"]`, nil},
		{"RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl # buildkit",
			map[string]int{"var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4": 9 * mib, "usr/bin/curl": 300 << 10}},
		{"COPY models/ /mnt/models/ # buildkit", map[string]int{"mnt/models/encoder.onnx": 48 * mib, "mnt/models/decoder.onnx": 16 * mib}},
		{"RUN /bin/sh -c pip install -r /srv/requirements.txt # buildkit", map[string]int{"root/.cache/pip/http/wheels.bin": 6 * mib, "usr/local/lib/python3.12/site-packages/server.py": 40 << 10}},
		{"VOLUME [/mnt/models]", nil},
		{`CMD ["/bin/sh" "-c" "python -m server --models /mnt/models"]`, nil},
	}
	img := empty.Image
	for _, s := range steps {
		add := mutate.Addendum{History: v1.History{CreatedBy: s.by, Created: created, EmptyLayer: s.files == nil}}
		if s.files != nil {
			contents := map[string][]byte{}
			for p, n := range s.files {
				contents[p] = make([]byte, n)
			}
			l, err := crane.Layer(contents)
			if err != nil {
				return err
			}
			add.Layer = l
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

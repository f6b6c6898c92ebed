package imagesrctest

import (
	"archive/tar"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// File is an entry of a test layer: a regular file of Size zero bytes, a
// directory when Name ends in "/". Whiteouts are files named as such:
// "tmp/.wh.cache" deletes /tmp/cache, "app/.wh..wh..opq" makes /app opaque.
type File struct {
	Name string
	Size int64
}

// Layer builds a gzip-compressed layer (level 1) of files. Contents are
// streamed, never held in memory, so a layer may be large.
func Layer(t testing.TB, files ...File) v1.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeTar(pw, files)) }()
		return pr, nil
	}, tarball.WithCompressionLevel(1))
	if err != nil {
		t.Fatalf("imagesrctest: layer: %v", err)
	}
	return l
}

func writeTar(w io.Writer, files []File) error {
	tw := tar.NewWriter(w)
	for _, f := range files {
		h := &tar.Header{Name: f.Name, Typeflag: tar.TypeReg, Mode: 0o644, Size: f.Size}
		if strings.HasSuffix(f.Name, "/") {
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Size > 0 {
			if _, err := io.CopyN(tw, zeros{}, h.Size); err != nil {
				return err
			}
		}
	}
	return tw.Close()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Step is a history entry of a test image; Files, unless Empty, make its
// layer.
type Step struct {
	CreatedBy string
	Empty     bool
	Files     []File
}

// Image builds a linux/amd64 image of steps with the config cfg (its
// Volumes, User, Cmd...).
func Image(t testing.TB, cfg v1.Config, steps ...Step) v1.Image {
	t.Helper()
	img := empty.Image
	for _, s := range steps {
		add := mutate.Addendum{History: v1.History{CreatedBy: s.CreatedBy, EmptyLayer: s.Empty, Comment: "buildkit.dockerfile.v0"}}
		if !s.Empty {
			add.Layer = Layer(t, s.Files...)
		}
		var err error
		if img, err = mutate.Append(img, add); err != nil {
			t.Fatalf("imagesrctest: append: %v", err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("imagesrctest: config: %v", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config = cfg
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatalf("imagesrctest: config: %v", err)
	}
	return img
}

const mib = 1 << 20

// DeepImage is an image whose layers hold known waste and volume data:
//
//	1 ADD rootfs                      /bin/sh 1 KiB, /etc/os-release 100 B
//	2 CMD ["bash"]                    (empty)
//	3 RUN apt-get update && install   /var/lib/apt/lists/{1..5} 8 MiB each, /usr/bin/curl 200 KiB
//	4 COPY models/ /mnt/models/       /mnt/models/model.bin 24 MiB, /mnt/models/vocab.txt 1 MiB
//	5 RUN rm -rf /var/lib/apt/lists/* deletes the five lists (40 MiB)
//	6 RUN chmod 644 model.bin         /mnt/models/model.bin again (24 MiB overwritten)
//	7 VOLUME ["/mnt/models"]          (empty)
//	8 USER 1000                       (empty)
//	9 CMD ["serve"]                   (empty)
//
// Wasted: 64 MiB (over the 50 MiB default). Under /mnt/models the final
// filesystem holds 25 MiB in 2 files.
func DeepImage(t testing.TB) v1.Image {
	t.Helper()
	var lists, rmLists []File
	for _, n := range []string{"1", "2", "3", "4", "5"} {
		lists = append(lists, File{Name: "var/lib/apt/lists/deb_" + n + "_Packages", Size: 8 * mib})
		rmLists = append(rmLists, File{Name: "var/lib/apt/lists/.wh.deb_" + n + "_Packages"})
	}
	return Image(t, v1.Config{
		User:    "1000",
		Cmd:     []string{"serve"},
		Volumes: map[string]struct{}{"/mnt/models": {}},
	},
		Step{CreatedBy: "/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / ",
			Files: []File{{"bin/", 0}, {"bin/sh", 1024}, {"etc/", 0}, {"etc/os-release", 100}}},
		Step{CreatedBy: `/bin/sh -c #(nop)  CMD ["bash"]`, Empty: true},
		Step{CreatedBy: "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl # buildkit",
			Files: append([]File{{"usr/bin/curl", 200 << 10}, {"var/lib/apt/lists/", 0}}, lists...)},
		Step{CreatedBy: "COPY models/ /mnt/models/ # buildkit",
			Files: []File{{"mnt/models/", 0}, {"mnt/models/model.bin", 24 * mib}, {"mnt/models/vocab.txt", 1 * mib}}},
		Step{CreatedBy: "RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit",
			Files: append([]File{{"var/lib/apt/lists/", 0}}, rmLists...)},
		Step{CreatedBy: "RUN /bin/sh -c chmod 644 /mnt/models/model.bin # buildkit",
			Files: []File{{"mnt/models/", 0}, {"mnt/models/model.bin", 24 * mib}}},
		Step{CreatedBy: "VOLUME [/mnt/models]", Empty: true},
		Step{CreatedBy: "USER 1000", Empty: true},
		Step{CreatedBy: `CMD ["serve"]`, Empty: true},
	)
}

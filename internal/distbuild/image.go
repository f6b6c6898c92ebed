package distbuild

import (
	"archive/tar"
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The image's fixed facts, shared by the daemonless build (Index) and the
// root Dockerfile (which writes the same files with WriteRootfs).
const (
	UID         = 65532 // the "nonroot" user of distroless and ko
	UserName    = "nonroot"
	Home        = "/home/nonroot"
	WorkDir     = "/work" // mount the repository here: docker run -v "$PWD:/work" ...
	BinaryPath  = "/usr/local/bin/dockvet"
	CAFile      = "/etc/ssl/certs/ca-certificates.crt"
	SourceURL   = "https://github.com/dockvet/dockvet"
	License     = "Apache-2.0"
	Description = "Lint Dockerfiles and OCI images for the mistakes that take production down"
)

// Env is the image's environment: a PATH, a HOME the user owns (dockvet's
// base-image cache lives under it) and the CA bundle for registry lookups.
var Env = []string{
	"PATH=/usr/local/bin:/usr/bin:/bin",
	"HOME=" + Home,
	"SSL_CERT_FILE=" + CAFile,
}

// Platforms of the image index.
var Platforms = []Target{{"linux", "amd64"}, {"linux", "arm64"}}

// CABundle is Mozilla's root store as a PEM file, from
// golang.org/x/crypto/x509roots/fallback/bundle (a Go module, so a build
// needs only Go: no ca-certificates package, no network beyond the module
// proxy). Roots that carry a constraint PEM cannot express (a
// distrust-after date) are left out rather than trusted without it.
func CABundle() []byte {
	var b bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate})
	}
	return b.Bytes()
}

// rootfsEntry is one file or directory of the base layer.
type rootfsEntry struct {
	name     string // absolute path in the image
	dir      bool
	mode     int64
	uid, gid int
	data     []byte
}

// baseFiles are the files every dockvet image has besides the binary: the
// user 65532 in passwd and group (so `id`, Go's os/user and HOME agree),
// its home and work directories, a world-writable /tmp, and the CA bundle.
func baseFiles() []rootfsEntry {
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:%s:%s:/sbin/nologin\n", UserName, UID, UID, UserName, Home)
	group := fmt.Sprintf("root:x:0:\n%s:x:%d:\n", UserName, UID)
	return []rootfsEntry{
		{name: "/etc", dir: true, mode: 0o755},
		{name: "/etc/group", mode: 0o644, data: []byte(group)},
		{name: "/etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "/etc/ssl", dir: true, mode: 0o755},
		{name: "/etc/ssl/certs", dir: true, mode: 0o755},
		{name: CAFile, mode: 0o644, data: CABundle()},
		{name: "/home", dir: true, mode: 0o755},
		{name: Home, dir: true, mode: 0o700, uid: UID, gid: UID},
		{name: "/tmp", dir: true, mode: 0o1777},
		{name: WorkDir, dir: true, mode: 0o755, uid: UID, gid: UID},
	}
}

// binaryFiles is the second layer: the binary.
func binaryFiles(bin []byte) []rootfsEntry {
	return []rootfsEntry{
		{name: "/usr", dir: true, mode: 0o755},
		{name: "/usr/local", dir: true, mode: 0o755},
		{name: "/usr/local/bin", dir: true, mode: 0o755},
		{name: BinaryPath, mode: 0o755, data: bin},
	}
}

// layer is an uncompressed tar of entries with every mtime set to mtime,
// owner names empty and no PAX times, gzip-compressed by
// go-containerregistry (whose gzip header carries no time): the same input
// gives the same digest.
func layer(entries []rootfsEntry, mtime time.Time) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{
			Name:    strings.TrimPrefix(e.name, "/"),
			Mode:    e.mode,
			Uid:     e.uid,
			Gid:     e.gid,
			ModTime: mtime,
			Format:  tar.FormatPAX,
		}
		if e.dir {
			hdr.Typeflag, hdr.Name = tar.TypeDir, hdr.Name+"/"
		} else {
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// Labels are the OCI annotations of the image config.
func Labels(s Stamp) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       "dockvet",
		"org.opencontainers.image.description": Description,
		"org.opencontainers.image.source":      SourceURL,
		"org.opencontainers.image.url":         SourceURL,
		"org.opencontainers.image.version":     s.Version,
		"org.opencontainers.image.revision":    s.Commit,
		"org.opencontainers.image.licenses":    License,
		"org.opencontainers.image.created":     s.Date.Format(time.RFC3339),
	}
}

// Image is dockvet's image for one platform, from its static binary.
func Image(bin []byte, t Target, s Stamp) (v1.Image, error) {
	base, err := layer(baseFiles(), s.Date)
	if err != nil {
		return nil, err
	}
	binLayer, err := layer(binaryFiles(bin), s.Date)
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: s.Date}
	img, err := mutate.Append(mutate.MediaType(empty.Image, types.OCIManifestSchema1),
		mutate.Addendum{Layer: base, History: v1.History{
			Created: created, CreatedBy: "COPY rootfs/ / # passwd and group (user 65532), CA certificates, /home/nonroot, /tmp, /work", Comment: "dockvet scripts/image",
		}},
		mutate.Addendum{Layer: binLayer, History: v1.History{
			Created: created, CreatedBy: "COPY dockvet " + BinaryPath + " # static binary", Comment: "dockvet scripts/image",
		}},
	)
	if err != nil {
		return nil, err
	}
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = t.OS, t.Arch
	if t.Arch == "arm64" {
		cf.Variant = "v8"
	}
	cf.Created = created
	cf.Author = ""
	cf.Config = v1.Config{
		User:       fmt.Sprintf("%d:%d", UID, UID),
		Env:        Env,
		Entrypoint: []string{BinaryPath},
		WorkingDir: WorkDir,
		Labels:     Labels(s),
	}
	return mutate.ConfigFile(img, cf)
}

// Index is the multi-platform image: one Image per binary, in Platforms
// order. binaries maps "linux/amd64" to the binary's path.
func Index(binaries map[string]string, s Stamp) (v1.ImageIndex, error) {
	var adds []mutate.IndexAddendum
	for _, t := range Platforms {
		p, ok := binaries[t.String()]
		if !ok {
			return nil, fmt.Errorf("no binary for %s", t)
		}
		bin, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		img, err := Image(bin, t, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		plat := &v1.Platform{OS: t.OS, Architecture: t.Arch}
		if t.Arch == "arm64" {
			plat.Variant = "v8"
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: plat}})
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	idx = mutate.AppendManifests(idx, adds...)
	return mutate.Annotations(idx, map[string]string{
		"org.opencontainers.image.source":   SourceURL,
		"org.opencontainers.image.version":  s.Version,
		"org.opencontainers.image.revision": s.Commit,
		"org.opencontainers.image.licenses": License,
		"org.opencontainers.image.created":  s.Date.Format(time.RFC3339),
	}).(v1.ImageIndex), nil
}

// WriteRootfs writes the base layer's files under dir, for the root
// Dockerfile's build stage (its final stage copies dir to /), so a `docker
// build` gives the same files as Index. Ownership is set when running as
// root (as a build stage does) and skipped otherwise.
func WriteRootfs(dir string) error {
	for _, e := range baseFiles() {
		p := filepath.Join(dir, filepath.FromSlash(path.Clean(e.name)))
		var err error
		if e.dir {
			err = os.MkdirAll(p, 0o755)
		} else {
			err = os.WriteFile(p, e.data, 0o644)
		}
		if err == nil {
			err = os.Chmod(p, os.FileMode(e.mode&0o777)|modeBits(e.mode))
		}
		if err == nil && os.Geteuid() == 0 {
			err = os.Lchown(p, e.uid, e.gid)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// modeBits turns the tar sticky bit into Go's.
func modeBits(mode int64) os.FileMode {
	if mode&0o1000 != 0 {
		return os.ModeSticky
	}
	return 0
}

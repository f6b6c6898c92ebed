package imagesrc

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc/imageconv"
	"github.com/dockvet/dockvet/internal/safefile"
)

// Annotations that name an image in an OCI layout's index.json.
const (
	annotationRefName       = "org.opencontainers.image.ref.name"
	annotationContainerdRef = "io.containerd.image.name"
)

// maxIndexDepth bounds nested indexes.
const maxIndexDepth = 4

// ociLayout is an OCI image layout directory being read.
type ociLayout struct {
	dir string
}

// loadOCILayout reads the image src selects from an OCI layout: its
// index.json, the chosen manifest (through nested indexes, by platform) and
// its config. Blobs are checked against their digests.
func loadOCILayout(src Source, platform string) (*image.Image, error) {
	want, explicit, err := wantPlatform(platform)
	if err != nil {
		return nil, err
	}
	l := &ociLayout{dir: src.Path}
	st, err := os.Stat(l.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no such directory: %s", l.dir)
	case err != nil:
		return nil, err
	case !st.IsDir():
		return nil, fmt.Errorf("%s is not a directory: an OCI image layout is a directory holding oci-layout, index.json and blobs/ (for a `docker save` tarball use docker-archive:%s)", l.dir, l.dir)
	}
	raw, err := l.readFile("index.json", maxManifestSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not an OCI image layout: it has no index.json (write one with `skopeo copy ... oci:%s:TAG`, `docker buildx build --output type=oci,tar=false,dest=%s` or `crane pull --format=oci`)", l.dir, l.dir, l.dir)
	}
	if err != nil {
		return nil, err
	}
	if err := l.checkLayoutFile(); err != nil {
		return nil, err
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: invalid index.json: %w", l.dir, err)
	}
	desc, err := l.selectTop(src, idx, want, explicit)
	if err != nil {
		return nil, err
	}
	return l.image(src.Ref, desc, want, explicit, 0)
}

// checkLayoutFile reads the oci-layout marker file when it exists: it must
// be JSON with an imageLayoutVersion. A layout without it is read anyway
// (some tools omit it).
func (l *ociLayout) checkLayoutFile() error {
	raw, err := l.readFile("oci-layout", 64<<10)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var marker struct {
		Version string `json:"imageLayoutVersion"`
	}
	if err := json.Unmarshal(raw, &marker); err != nil || marker.Version == "" {
		return fmt.Errorf("%s is not an OCI image layout: its oci-layout file is not {\"imageLayoutVersion\": ...}", l.dir)
	}
	return nil
}

// readFile reads a file of the layout, refusing one over limit bytes and
// anything but a regular file.
func (l *ociLayout) readFile(rel string, limit int64) ([]byte, error) {
	p := filepath.Join(l.dir, filepath.FromSlash(rel))
	f, _, err := openRegular(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %s: not an image's", p, sizeLimit(limit))
	}
	return b, nil
}

// sizeLimit words a limit for a message.
func sizeLimit(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// openRegular opens p (following symbolic links) when it is a regular
// file on an ordinary file system: a FIFO would block, a device such as
// /dev/zero never end, a /proc file leak the environment. safefile opens
// without blocking and checks what it opened.
func openRegular(p string) (*os.File, fs.FileInfo, error) {
	return safefile.Open(p)
}

// notRegular is the error for a path that is not a regular file.
func notRegular(p string, m fs.FileMode) error {
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%s is not a regular file (it is %s)", p, what)
}

// blob reads the blob a descriptor names and checks its size (when the
// descriptor gives one) and its digest.
func (l *ociLayout) blob(d v1.Descriptor, limit int64, what string) ([]byte, error) {
	if !validHash(d.Digest) {
		return nil, fmt.Errorf("%s: invalid %s digest %q", l.dir, what, d.Digest)
	}
	if d.Size > limit {
		return nil, fmt.Errorf("%s: the %s %s is %d bytes, more than %d MiB: not an image's", l.dir, what, d.Digest, d.Size, limit>>20)
	}
	newHash, ok := hashFor(d.Digest.Algorithm)
	if !ok {
		return nil, fmt.Errorf("%s: the %s digest %s uses an unsupported algorithm (only sha256 and sha512 can be verified)", l.dir, what, d.Digest)
	}
	rel := "blobs/" + d.Digest.Algorithm + "/" + d.Digest.Hex
	p := filepath.Join(l.dir, filepath.FromSlash(rel))
	f, st, err := openRegular(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: the %s %s is missing (no %s): the layout is incomplete", l.dir, what, d.Digest, rel)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if d.Size > 0 && st.Size() != d.Size {
		return nil, fmt.Errorf("%s: the %s blob %s is %d bytes, its descriptor declares %d: the layout is corrupt", l.dir, what, d.Digest, st.Size(), d.Size)
	}
	if d.Size > 0 {
		limit = d.Size
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	switch n := int64(len(b)); {
	case d.Size > 0 && n != d.Size:
		return nil, fmt.Errorf("%s: the %s blob %s changed while it was read", l.dir, what, d.Digest)
	case n > limit:
		return nil, fmt.Errorf("%s is larger than %s: not an image's", p, sizeLimit(limit))
	}
	h := newHash()
	h.Write(b)
	if hex.EncodeToString(h.Sum(nil)) != d.Digest.Hex {
		return nil, fmt.Errorf("%s: the %s blob %s does not match its digest: the layout is corrupt", l.dir, what, d.Digest)
	}
	return b, nil
}

// hashFor returns the hash of a digest algorithm that is verified; blobs
// named with any other are refused.
func hashFor(algorithm string) (func() hash.Hash, bool) {
	switch algorithm {
	case "sha256":
		return sha256.New, true
	case "sha512":
		return sha512.New, true
	}
	return nil, false
}

// validHash accepts digests that are safe to use as a path.
func validHash(h v1.Hash) bool {
	if h.Algorithm == "" || h.Hex == "" {
		return false
	}
	for _, c := range h.Algorithm {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	for _, c := range h.Hex {
		if (c < 'a' || c > 'f') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// refName is the name an index entry gives its image.
func refName(d v1.Descriptor) string {
	if n := d.Annotations[annotationRefName]; n != "" {
		return n
	}
	return d.Annotations[annotationContainerdRef]
}

// tagMatches reports whether an entry's name is tag: the whole name (the
// OCI convention is a bare tag, "v1"), or the tag of a full reference
// ("example.com/app:v1", as containerd and buildx write it), or the full
// reference itself.
func tagMatches(d v1.Descriptor, tag string) bool {
	for _, n := range []string{d.Annotations[annotationRefName], d.Annotations[annotationContainerdRef]} {
		if n == "" {
			continue
		}
		if n == tag {
			return true
		}
		slash := strings.LastIndexByte(n, '/')
		if i := strings.LastIndexByte(n, ':'); i > slash && n[i+1:] == tag {
			return true
		}
	}
	return false
}

// describe lists an index's entries for an error message.
func describe(ds []v1.Descriptor) string {
	var parts []string
	for _, d := range ds {
		s := d.Digest.String()
		if len(s) > 19 {
			s = s[:19]
		}
		if n := refName(d); n != "" {
			s = n + " (" + s + ")"
		}
		if d.Platform != nil {
			s += " " + d.Platform.String()
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// selectTop chooses the entry of index.json that src names.
func (l *ociLayout) selectTop(src Source, idx *v1.IndexManifest, want v1.Platform, explicit bool) (v1.Descriptor, error) {
	entries := idx.Manifests
	if len(entries) == 0 {
		return v1.Descriptor{}, fmt.Errorf("%s holds no image: its index.json lists no manifest", l.dir)
	}
	switch {
	case src.Digest != "":
		if d, ok := l.findDigest(entries, src.Digest, 0); ok {
			return d, nil
		}
		return v1.Descriptor{}, fmt.Errorf("%s has no manifest %s; it holds: %s", l.dir, src.Digest, describe(entries))
	case src.Tag != "":
		var match []v1.Descriptor
		for _, d := range entries {
			if tagMatches(d, src.Tag) {
				match = append(match, d)
			}
		}
		switch len(match) {
		case 0:
			return v1.Descriptor{}, fmt.Errorf("%s has no image tagged %q (org.opencontainers.image.ref.name); it holds: %s", l.dir, src.Tag, describe(entries))
		case 1:
			return match[0], nil
		}
		entries = match
	case len(entries) == 1:
		return entries[0], nil
	}
	// Several entries: the platform decides when they are the images of
	// one multi-platform set (each with a platform); anything else needs
	// a tag or digest.
	if d, ok, err := pickPlatform(entries, want, explicit); ok || err != nil {
		if err != nil {
			return v1.Descriptor{}, fmt.Errorf("%s: %w", l.dir, err)
		}
		return d, nil
	}
	what := "images"
	if src.Tag != "" {
		what = fmt.Sprintf("images tagged %q", src.Tag)
	}
	return v1.Descriptor{}, fmt.Errorf("%s holds %d %s; name one as oci-layout:%s:TAG or oci-layout:%s@DIGEST: %s", l.dir, len(entries), what, l.dir, l.dir, describe(entries))
}

// findDigest finds a descriptor by digest in entries or in the indexes
// they name.
func (l *ociLayout) findDigest(entries []v1.Descriptor, dg string, depth int) (v1.Descriptor, bool) {
	for _, d := range entries {
		if d.Digest.String() == dg {
			return d, true
		}
	}
	if depth >= maxIndexDepth {
		return v1.Descriptor{}, false
	}
	for _, d := range entries {
		if !d.MediaType.IsIndex() {
			continue
		}
		raw, err := l.blob(d, maxManifestSize, "index")
		if err != nil {
			continue
		}
		idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			continue
		}
		if found, ok := l.findDigest(idx.Manifests, dg, depth+1); ok {
			return found, true
		}
	}
	return v1.Descriptor{}, false
}

// pickPlatform chooses among image entries by platform. ok is false (and
// err nil) when the entries are not a platform set: some lack a platform or
// one is an index.
func pickPlatform(entries []v1.Descriptor, want v1.Platform, explicit bool) (v1.Descriptor, bool, error) {
	var images []v1.Descriptor
	for _, d := range entries {
		if imageconv.IsAttestation(d) {
			continue
		}
		if d.Platform == nil || d.MediaType.IsIndex() {
			return v1.Descriptor{}, false, nil
		}
		images = append(images, d)
	}
	if len(images) == 0 {
		return v1.Descriptor{}, false, nil
	}
	for _, d := range images {
		if imageconv.PlatformMatches(*d.Platform, want) {
			return d, true, nil
		}
	}
	if !explicit && len(images) == 1 {
		return images[0], true, nil
	}
	var have []string
	for _, d := range images {
		if s := d.Platform.String(); !slices.Contains(have, s) {
			have = append(have, s)
		}
	}
	hint := ""
	if !explicit {
		hint = " (choose one with --platform)"
	}
	return v1.Descriptor{}, false, fmt.Errorf("no image for platform %s; it has %s%s", want.String(), strings.Join(have, ", "), hint)
}

// image reads the image a descriptor names, resolving indexes by platform.
func (l *ociLayout) image(ref string, d v1.Descriptor, want v1.Platform, explicit bool, depth int) (*image.Image, error) {
	raw, err := l.blob(d, maxManifestSize, "manifest")
	if err != nil {
		return nil, err
	}
	isIndex, err := imageconv.IsIndex(raw, d.MediaType)
	if err != nil {
		return nil, fmt.Errorf("%s: manifest %s: %w", l.dir, d.Digest, err)
	}
	if isIndex {
		if depth >= maxIndexDepth {
			return nil, fmt.Errorf("%s: indexes nested more than %d deep", l.dir, maxIndexDepth)
		}
		idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: index %s: invalid JSON: %w", l.dir, d.Digest, err)
		}
		child, ok, err := pickPlatform(idx.Manifests, want, explicit)
		if err != nil {
			return nil, fmt.Errorf("%s: index %s: %w", l.dir, d.Digest, err)
		}
		if !ok {
			child, err = onlyImage(idx.Manifests)
			if err != nil {
				return nil, fmt.Errorf("%s: index %s: %w", l.dir, d.Digest, err)
			}
		}
		return l.image(ref, child, want, explicit, depth+1)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: manifest %s: invalid JSON: %w", l.dir, d.Digest, err)
	}
	cfgRaw, err := l.blob(m.Config, maxConfigSize, "config")
	if err != nil {
		return nil, err
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(cfgRaw))
	if err != nil {
		return nil, fmt.Errorf("%s: config %s: invalid JSON: %w", l.dir, m.Config.Digest, err)
	}
	img := imageconv.FromConfig(ref, d.Digest.String(), cf, m)
	if img.OS == "" && img.Architecture == "" && d.Platform != nil {
		img.OS, img.Architecture, img.Variant = d.Platform.OS, d.Platform.Architecture, d.Platform.Variant
	}
	return img, nil
}

// onlyImage is the one entry of an index whose entries carry no platform.
func onlyImage(ds []v1.Descriptor) (v1.Descriptor, error) {
	var images []v1.Descriptor
	for _, d := range ds {
		if !imageconv.IsAttestation(d) {
			images = append(images, d)
		}
	}
	if len(images) == 1 {
		return images[0], nil
	}
	if len(images) == 0 {
		return v1.Descriptor{}, errors.New("it lists no image")
	}
	return v1.Descriptor{}, fmt.Errorf("it lists %d images without platforms: %s; name one by digest", len(images), describe(images))
}

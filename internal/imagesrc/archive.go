package imagesrc

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc/imageconv"
)

// archiveEntry is one image of a docker archive's manifest.json.
type archiveEntry struct {
	Config   string   `json:"Config"`
	RepoTags []string `json:"RepoTags"`
	Layers   []string `json:"Layers"`
}

// loadDockerArchive reads the image src selects from a `docker save`
// tarball (plain or gzip-compressed): manifest.json, then the chosen
// image's config. Layers are not read: their sizes come from the tar
// headers (tar skips their contents by seeking).
func loadDockerArchive(src Source) (*image.Image, error) {
	st, err := os.Stat(src.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no such file: %s", src.Path)
	case err != nil:
		return nil, err
	case st.IsDir():
		return nil, fmt.Errorf("%s is a directory: docker-archive: reads a `docker save` tarball (for an OCI layout directory use oci-layout:%s)", src.Path, src.Path)
	}
	sizes := map[string]int64{}
	links := tarLinks{}
	var manifest []byte
	err = scanTar(src.Path, func(h *tar.Header, r io.Reader) (bool, error) {
		n := cleanTarPath(h.Name)
		switch h.Typeflag {
		case tar.TypeSymlink:
			// docker save links a layer that appears twice to its first copy.
			links[n] = cleanTarPath(path.Join(path.Dir(n), h.Linkname))
			return false, nil
		case tar.TypeLink:
			links[n] = cleanTarPath(h.Linkname)
			return false, nil
		case tar.TypeReg:
		default:
			return false, nil
		}
		sizes[n] = h.Size
		if n == "manifest.json" {
			if h.Size > maxManifestSize {
				return true, fmt.Errorf("%s: manifest.json is larger than %d MiB: not a docker archive's", src.Path, maxManifestSize>>20)
			}
			b, err := io.ReadAll(r)
			if err != nil {
				return true, err
			}
			manifest = b
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	if manifest == nil {
		return nil, fmt.Errorf("%s is not a docker archive: it has no manifest.json (write one with `docker save IMAGE -o %s`)", src.Path, src.Path)
	}
	var entries []archiveEntry
	if err := json.Unmarshal(manifest, &entries); err != nil {
		return nil, fmt.Errorf("%s: invalid manifest.json: %w", src.Path, err)
	}
	e, err := selectArchiveEntry(src, entries)
	if err != nil {
		return nil, err
	}
	resolve := links.resolve
	cfgName := resolve(cleanTarPath(e.Config))
	if _, ok := sizes[cfgName]; !ok || cfgName == "" {
		return nil, fmt.Errorf("%s: the config %q named in manifest.json is not in the archive", src.Path, e.Config)
	}
	if sizes[cfgName] > maxConfigSize {
		return nil, fmt.Errorf("%s: the config %s is larger than %d MiB: not an image's", src.Path, e.Config, maxConfigSize>>20)
	}
	var cfgRaw []byte
	err = scanTar(src.Path, func(h *tar.Header, r io.Reader) (bool, error) {
		if h.Typeflag != tar.TypeReg || cleanTarPath(h.Name) != cfgName {
			return false, nil
		}
		b, err := io.ReadAll(r)
		cfgRaw = b
		return true, err
	})
	if err != nil {
		return nil, err
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(cfgRaw))
	if err != nil {
		return nil, fmt.Errorf("%s: config %s: invalid JSON: %w", src.Path, e.Config, err)
	}
	m := &v1.Manifest{}
	for i, l := range e.Layers {
		ln := resolve(cleanTarPath(l))
		size, ok := sizes[ln]
		if !ok {
			return nil, fmt.Errorf("%s: the layer %q named in manifest.json is not in the archive", src.Path, l)
		}
		m.Layers = append(m.Layers, archiveLayer(ln, size, i, cf))
	}
	return imageconv.FromConfig(src.Ref, "", cf, m), nil
}

// archiveLayer describes a layer file: its digest when its name or the
// config tells it, its media type from its name.
func archiveLayer(n string, size int64, i int, cf *v1.ConfigFile) v1.Descriptor {
	d := v1.Descriptor{Size: size, MediaType: types.DockerUncompressedLayer}
	base := path.Base(n)
	gz := strings.HasSuffix(base, ".gz") || strings.HasSuffix(base, ".tgz")
	if gz {
		d.MediaType = types.DockerLayer
	}
	switch {
	case strings.HasPrefix(n, "blobs/sha256/") && validHex(base):
		// Docker 25+ writes an OCI layout inside the archive.
		d.Digest = v1.Hash{Algorithm: "sha256", Hex: base}
	case gz && validHex(strings.TrimSuffix(strings.TrimSuffix(base, ".gz"), ".tar")):
		// go-containerregistry's tarball names layers <digest>.tar.gz.
		d.Digest = v1.Hash{Algorithm: "sha256", Hex: strings.TrimSuffix(strings.TrimSuffix(base, ".gz"), ".tar")}
	case !gz && i < len(cf.RootFS.DiffIDs):
		// An uncompressed layer's digest is its diff ID.
		d.Digest = cf.RootFS.DiffIDs[i]
	}
	return d
}

func validHex(s string) bool {
	return len(s) == 64 && validHash(v1.Hash{Algorithm: "sha256", Hex: s})
}

// selectArchiveEntry chooses the image of a docker archive that src names:
// by @index, by one of its RepoTags, or the only one.
func selectArchiveEntry(src Source, entries []archiveEntry) (archiveEntry, error) {
	if len(entries) == 0 {
		return archiveEntry{}, fmt.Errorf("%s holds no image: its manifest.json is empty", src.Path)
	}
	list := func() string {
		var parts []string
		for i, e := range entries {
			s := "@" + strconv.Itoa(i)
			if len(e.RepoTags) > 0 {
				s += " (" + strings.Join(e.RepoTags, ", ") + ")"
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, "; ")
	}
	switch {
	case src.Index >= 0:
		if src.Index >= len(entries) {
			return archiveEntry{}, fmt.Errorf("%s holds %d images, so there is no @%d: %s", src.Path, len(entries), src.Index, list())
		}
		return entries[src.Index], nil
	case src.Tag != "":
		want := normalizeRef(src.Tag)
		for _, e := range entries {
			for _, t := range e.RepoTags {
				if t == src.Tag || normalizeRef(t) == want {
					return e, nil
				}
			}
		}
		return archiveEntry{}, fmt.Errorf("%s has no image tagged %q; it holds: %s", src.Path, src.Tag, list())
	case len(entries) == 1:
		return entries[0], nil
	}
	return archiveEntry{}, fmt.Errorf("%s holds %d images; name one as docker-archive:%s:NAME:TAG or docker-archive:%s:@INDEX: %s", src.Path, len(entries), src.Path, src.Path, list())
}

// normalizeRef spells a reference fully (alpine → index.docker.io/library/alpine:latest)
// so that differently written names of one image compare equal.
func normalizeRef(s string) string {
	r, err := name.ParseReference(s)
	if err != nil {
		return s
	}
	return r.Name()
}

// cleanTarPath normalises a tar entry name ("./manifest.json" → "manifest.json").
func cleanTarPath(n string) string {
	n = path.Clean("/" + n)
	return strings.TrimPrefix(n, "/")
}

// scanTar calls fn for each entry of the tar file at p (gunzipping it when
// compressed) until fn returns true or an error.
func scanTar(p string, fn func(h *tar.Header, r io.Reader) (bool, error)) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	br := bufio.NewReader(f)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		defer func() { _ = zr.Close() }()
		r = zr
	} else if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	// A plain file is read directly, so that tar skips layer contents by
	// seeking instead of reading them.
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s is not a valid tar archive: %w", p, err)
		}
		done, err := fn(h, tr)
		if err != nil || done {
			return err
		}
	}
}

// tarLinks maps a tar entry name to the entry it links to (docker save links
// a layer that appears twice to its first copy).
type tarLinks map[string]string

// resolve follows links from n, at most 8 deep (a loop ends there).
func (l tarLinks) resolve(n string) string {
	for range 8 {
		t, ok := l[n]
		if !ok {
			break
		}
		n = t
	}
	return n
}

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
	case !st.Mode().IsRegular():
		return nil, notRegular(src.Path, st.Mode())
	}
	ix, err := indexArchive(src.Path)
	if err != nil {
		return nil, err
	}
	if ix.manifest == nil {
		return nil, fmt.Errorf("%s is not a docker archive: it has no manifest.json (write one with `docker save IMAGE -o %s`)", src.Path, src.Path)
	}
	var entries []archiveEntry
	if err := json.Unmarshal(ix.manifest, &entries); err != nil {
		return nil, fmt.Errorf("%s: invalid manifest.json: %w", src.Path, err)
	}
	e, err := selectArchiveEntry(src, entries)
	if err != nil {
		return nil, err
	}
	cfgName, cfg, err := ix.find(src.Path, "config", e.Config)
	if err != nil {
		return nil, err
	}
	if cfg.size > maxConfigSize {
		return nil, fmt.Errorf("%s: the config %s is larger than %d MiB: not an image's", src.Path, e.Config, maxConfigSize>>20)
	}
	// The second pass reads the very entry the first one measured (by its
	// position), and no more than it measured.
	var cfgRaw []byte
	idx := -1
	err = scanTar(src.Path, func(h *tar.Header, r io.Reader) (bool, error) {
		if idx++; idx < cfg.idx {
			return false, nil
		}
		if h.Typeflag != tar.TypeReg || cleanTarPath(h.Name) != cfgName || h.Size != cfg.size {
			return true, fmt.Errorf("%s changed while it was read", src.Path)
		}
		b, err := readEntry(r, h.Size, maxConfigSize)
		if err != nil {
			return true, fmt.Errorf("%s: the config %s is %w", src.Path, e.Config, err)
		}
		cfgRaw = b
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if cfgRaw == nil {
		return nil, fmt.Errorf("%s changed while it was read", src.Path)
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(cfgRaw))
	if err != nil {
		return nil, fmt.Errorf("%s: config %s: invalid JSON: %w", src.Path, e.Config, err)
	}
	m := &v1.Manifest{}
	for i, l := range e.Layers {
		ln, af, err := ix.find(src.Path, "layer", l)
		if err != nil {
			return nil, err
		}
		m.Layers = append(m.Layers, archiveLayer(ln, af.size, i, cf))
	}
	return imageconv.FromConfig(src.Ref, "", cf, m), nil
}

// readEntry reads a tar entry of size bytes, refusing one over limit: it
// never reads more than limit+1 bytes, whatever the header says.
func readEntry(r io.Reader, size, limit int64) ([]byte, error) {
	if size > limit {
		return nil, fmt.Errorf("larger than %s", sizeLimit(limit))
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	switch {
	case err != nil:
		return nil, err
	case int64(len(b)) > limit:
		return nil, fmt.Errorf("larger than %s", sizeLimit(limit))
	case int64(len(b)) != size:
		return nil, fmt.Errorf("%d bytes, its tar header says %d", len(b), size)
	}
	return b, nil
}

// archiveIndex is what one pass over a docker archive finds: its regular
// files and links by name, and manifest.json.
type archiveIndex struct {
	compressed bool
	files      map[string]archiveFile
	links      tarLinks
	// count is how many entries (files and links) have each name: an
	// archive that holds a name twice is ambiguous (the tar tools take the
	// last, a reader stopping at the first would not), so such a name is
	// refused when it is used.
	count    map[string]int
	manifest []byte // nil when there is none
}

// Bounds on what indexArchive keeps of an archive. `docker save` writes a
// handful of entries per layer and image, so a real archive stays far below
// them; a hostile one of millions of tiny entries (3M entries took 685 MB)
// or of megabyte-long names is refused instead of exhausting memory.
const (
	maxArchiveEntries   = 100_000
	maxArchiveNameLen   = 4 << 10 // Linux's PATH_MAX
	maxArchiveNameBytes = 16 << 20
)

// archiveLimits are the bounds of one indexArchive (tests lower them).
type archiveLimits struct {
	entries   int
	nameLen   int
	nameBytes int
}

var defaultArchiveLimits = archiveLimits{entries: maxArchiveEntries, nameLen: maxArchiveNameLen, nameBytes: maxArchiveNameBytes}

// indexArchive lists the archive at p, reading manifest.json (at most
// maxManifestSize bytes; a second manifest.json is refused). In a plain
// archive each file's offset is recorded.
func indexArchive(p string) (*archiveIndex, error) {
	return indexArchiveLimits(p, defaultArchiveLimits)
}

// indexArchiveLimits is indexArchive within lim: an archive with more
// entries (of any type), a longer name, or more bytes of names is refused.
func indexArchiveLimits(p string, lim archiveLimits) (*archiveIndex, error) {
	ix := &archiveIndex{files: map[string]archiveFile{}, links: tarLinks{}, count: map[string]int{}}
	nameBytes := 0
	f, tr, compressed, done, err := openTar(p)
	if err != nil {
		return nil, err
	}
	defer done()
	ix.compressed = compressed
	for idx := 0; ; idx++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s is not a valid tar archive: %w", p, err)
		}
		if idx >= lim.entries {
			return nil, fmt.Errorf("%s holds more than %d entries: not a docker archive", p, lim.entries)
		}
		if len(h.Name) > lim.nameLen || len(h.Linkname) > lim.nameLen {
			return nil, fmt.Errorf("%s holds a name longer than %d bytes: not a docker archive", p, lim.nameLen)
		}
		if nameBytes += len(h.Name) + len(h.Linkname); nameBytes > lim.nameBytes {
			return nil, fmt.Errorf("%s holds more than %s of entry names: not a docker archive", p, sizeLimit(int64(lim.nameBytes)))
		}
		n := cleanTarPath(h.Name)
		switch h.Typeflag {
		case tar.TypeSymlink:
			// docker save links a layer that appears twice to its first copy.
			ix.links[n] = cleanTarPath(path.Join(path.Dir(n), h.Linkname))
		case tar.TypeLink:
			ix.links[n] = cleanTarPath(h.Linkname)
		case tar.TypeReg:
			af := archiveFile{size: h.Size, idx: idx, off: -1}
			if !compressed {
				// archive/tar reads no further than the header: the file's
				// position is where the entry's data starts.
				if af.off, err = f.Seek(0, io.SeekCurrent); err != nil {
					return nil, err
				}
			}
			ix.files[n] = af
		default:
			continue
		}
		ix.count[n]++
		if n != "manifest.json" {
			continue
		}
		if ix.count[n] > 1 {
			return nil, fmt.Errorf("%s holds more than one manifest.json: refusing an ambiguous archive", p)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := readEntry(tr, h.Size, maxManifestSize)
		if err != nil {
			return nil, fmt.Errorf("%s: manifest.json is %w: not a docker archive's", p, err)
		}
		ix.manifest = b
	}
	return ix, nil
}

// find is the regular file that a name in manifest.json (what is "config"
// or "layer") means, following links, with its resolved name. A name that
// several entries have is refused.
func (ix *archiveIndex) find(p, what, name string) (string, archiveFile, error) {
	n := cleanTarPath(name)
	for hops := 0; ; hops++ {
		if ix.count[n] > 1 {
			return "", archiveFile{}, fmt.Errorf("%s holds %d entries named %q: refusing an ambiguous archive", p, ix.count[n], n)
		}
		t, ok := ix.links[n]
		if !ok || hops == 8 { // a loop ends there
			break
		}
		n = t
	}
	af, ok := ix.files[n]
	if !ok || n == "" {
		return "", archiveFile{}, fmt.Errorf("%s: the %s %q named in manifest.json is not in the archive", p, what, name)
	}
	return n, af, nil
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
	_, tr, _, done, err := openTar(p)
	if err != nil {
		return err
	}
	defer done()
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s is not a valid tar archive: %w", p, err)
		}
		stop, err := fn(h, tr)
		if err != nil || stop {
			return err
		}
	}
}

// openTar opens the tar file at p, which must be a regular file, gunzipping
// it when compressed. A plain file is read directly, so that tar skips
// entry contents by seeking instead of reading them, and f's position is
// where the current entry's data starts. done closes it all.
func openTar(p string) (f *os.File, tr *tar.Reader, compressed bool, done func(), err error) {
	f, _, err = openRegular(p)
	if err != nil {
		return nil, nil, false, nil, err
	}
	br := bufio.NewReader(f)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			_ = f.Close()
			return nil, nil, false, nil, fmt.Errorf("%s: %w", p, err)
		}
		return f, tar.NewReader(zr), true, func() { _ = zr.Close(); _ = f.Close() }, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		_ = f.Close()
		return nil, nil, false, nil, err
	}
	return f, tar.NewReader(f), false, func() { _ = f.Close() }, nil
}

// tarLinks maps a tar entry name to the entry it links to (docker save links
// a layer that appears twice to its first copy).
type tarLinks map[string]string

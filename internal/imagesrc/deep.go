package imagesrc

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
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
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/layers"
	"github.com/dockvet/dockvet/internal/registry"
)

// LayerSource opens the layers of registry images; *registry.Resolver is
// one.
type LayerSource interface {
	Layer(ctx context.Context, ref, digest string) (v1.Layer, error)
}

// DeepOptions configures Deep.
type DeepOptions struct {
	// Registry opens registry layers; nil when no source is a registry.
	Registry LayerSource
	// CacheDir is the cache directory (listings go to CacheDir/layers/);
	// "" disables the cache.
	CacheDir string
	// Progress, when set, is advanced as layers are read (the caller plans
	// the totals).
	Progress *layers.Progress
	// Jobs bounds the layers read at once (0: GOMAXPROCS).
	Jobs int
	// StallTimeout abandons a layer download that receives nothing for
	// that long (0: layers.DefaultStallTimeout).
	StallTimeout time.Duration
}

// Deep reads the layers of img, which Load read from src, for `dockvet
// image --deep`: each layer once (from a registry, an OCI layout's blobs or
// a docker archive), or its listing from the cache. The result's layers
// carry the history entry that made each. An error names the layer (its
// position, digest and history entry) and why it could not be read.
func Deep(ctx context.Context, src Source, img *image.Image, opts DeepOptions) (*image.DeepInfo, error) {
	var (
		ls    []layers.Layer
		order []int
		jobs  = opts.Jobs
		err   error
	)
	switch src.Kind {
	case Registry:
		ls, err = registryLayers(src, img, opts.Registry)
	case OCILayout:
		ls, err = layoutLayers(src, img)
	case DockerArchive:
		var a *archiveLayers
		a, err = openArchiveLayers(src, img)
		if err == nil {
			defer a.close()
			ls, order = a.layers, a.order
			if a.gz != nil {
				jobs = 1 // one pass through the compressed archive
			}
		}
	}
	if err != nil {
		return nil, err
	}
	info, err := layers.Analyze(ctx, ls, layers.Options{
		CacheDir:     opts.CacheDir,
		Jobs:         jobs,
		Order:        order,
		Progress:     opts.Progress,
		StallTimeout: opts.StallTimeout,
		Volumes:      img.Volumes,
	})
	entries := layerEntries(img)
	if err != nil {
		return nil, deepError(img, entries, err)
	}
	for i := range info.Layers {
		info.Layers[i].Entry = entries[i]
	}
	return info, nil
}

// layerEntries is LayerEntries, with 0 for every layer when the history
// does not line up with the layers.
func layerEntries(img *image.Image) []int {
	if e, ok := LayerEntries(img); ok {
		return e
	}
	return make([]int, len(img.Layers))
}

// deepError words a layer failure: which layer, then why.
func deepError(img *image.Image, entries []int, err error) error {
	var le *layers.LayerError
	if !errors.As(err, &le) {
		return err
	}
	where := fmt.Sprintf("layer %d of %d", le.Index+1, len(img.Layers))
	var details []string
	if le.Digest != "" {
		details = append(details, layers.ShortDigest(le.Digest))
	}
	if n := entries[le.Index]; n > 0 {
		details = append(details, fmt.Sprintf("history entry %d", n))
	}
	if len(details) > 0 {
		where += " (" + strings.Join(details, ", ") + ")"
	}
	why := le.Err.Error()
	var re *registry.Error
	if errors.As(le.Err, &re) {
		why = string(re.Reason)
		if re.Reason == registry.ReasonOffline {
			why += " (--offline, offline: true in the config, or DOCKVET_OFFLINE is set) and the layer is not in the cache"
		}
		if re.Detail != "" {
			why += " (" + re.Detail + ")"
		}
	}
	return &DeepError{msg: fmt.Sprintf("--deep: could not read %s: %s", where, why), err: err}
}

// DeepError is a failure to read an image's layers.
type DeepError struct {
	msg string
	err error
}

func (e *DeepError) Error() string { return e.msg }
func (e *DeepError) Unwrap() error { return e.err }

// registryLayers opens the layers through the registry session.
func registryLayers(src Source, img *image.Image, reg LayerSource) ([]layers.Layer, error) {
	if reg == nil {
		return nil, errors.New("--deep: no registry to read the layers from")
	}
	ref := strings.TrimPrefix(src.Ref, prefixDocker)
	out := make([]layers.Layer, len(img.Layers))
	for i, l := range img.Layers {
		if l.Digest == "" {
			return nil, fmt.Errorf("--deep: layer %d has no digest in the manifest", i+1)
		}
		dg := l.Digest
		out[i] = layers.Layer{
			Digest: dg,
			Size:   l.Size,
			Open: func(ctx context.Context) (io.ReadCloser, error) {
				rl, err := reg.Layer(ctx, ref, dg)
				if err != nil {
					return nil, err
				}
				return rl.Compressed()
			},
			Verified: true, // go-containerregistry checks the digest at the end
		}
	}
	return out, nil
}

// layoutLayers opens an OCI layout's layer blobs: regular files only,
// read no further than one byte past the size the manifest declares (the
// layer reader then reports the excess), and checked against a sha512
// digest here (sha256 ones are checked by the layer reader).
func layoutLayers(src Source, img *image.Image) ([]layers.Layer, error) {
	out := make([]layers.Layer, len(img.Layers))
	for i, l := range img.Layers {
		h, err := v1.NewHash(l.Digest)
		if err != nil || !validHash(h) {
			return nil, fmt.Errorf("--deep: layer %d has an invalid digest %q", i+1, l.Digest)
		}
		newHash, ok := hashFor(h.Algorithm)
		if !ok {
			return nil, fmt.Errorf("--deep: layer %d has a digest %s of an unsupported algorithm (only sha256 and sha512 can be verified)", i+1, l.Digest)
		}
		rel := "blobs/" + h.Algorithm + "/" + h.Hex
		p := filepath.Join(src.Path, filepath.FromSlash(rel))
		size := l.Size
		out[i] = layers.Layer{
			Digest: l.Digest,
			Size:   size,
			Open: func(context.Context) (io.ReadCloser, error) {
				f, _, err := openRegular(p)
				if errors.Is(err, fs.ErrNotExist) {
					return nil, fmt.Errorf("%s is missing: the layout is incomplete (some tools leave out foreign or shared layers)", rel)
				}
				if err != nil {
					return nil, err
				}
				var r io.Reader = f
				if size > 0 {
					r = io.LimitReader(f, size+1)
				}
				if h.Algorithm != "sha256" {
					r = &digestReader{r: r, h: newHash(), want: h.Hex}
				}
				return struct {
					io.Reader
					io.Closer
				}{r, f}, nil
			},
		}
	}
	return out, nil
}

// digestReader fails at the end of r when what was read does not hash to
// want.
type digestReader struct {
	r    io.Reader
	h    hash.Hash
	want string
}

func (d *digestReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	d.h.Write(p[:n])
	if errors.Is(err, io.EOF) && hex.EncodeToString(d.h.Sum(nil)) != d.want {
		return n, errors.New("the layer blob does not match its digest: it is corrupt")
	}
	return n, err
}

// archiveLayers are the layers of one image of a docker archive.
type archiveLayers struct {
	layers []layers.Layer
	order  []int      // the layers in the order of their files in the archive
	gz     *gzArchive // set for a compressed archive
}

func (a *archiveLayers) close() {
	if a.gz != nil {
		a.gz.close()
	}
}

// archiveFile is a regular file of a docker archive.
type archiveFile struct {
	off, size int64 // off is only known in an uncompressed archive
	idx       int   // position among the archive's entries
}

// openArchiveLayers finds the image's layer files in the archive, as
// loadDockerArchive chose the image. In a plain archive each layer is read
// in place, concurrently; a compressed archive is read once, front to back.
func openArchiveLayers(src Source, img *image.Image) (*archiveLayers, error) {
	ix, err := indexArchive(src.Path)
	if err != nil {
		return nil, err
	}
	var entries []archiveEntry
	if ix.manifest == nil || json.Unmarshal(ix.manifest, &entries) != nil {
		return nil, fmt.Errorf("%s: no readable manifest.json", src.Path)
	}
	e, err := selectArchiveEntry(src, entries)
	if err != nil {
		return nil, err
	}
	if len(e.Layers) != len(img.Layers) {
		return nil, fmt.Errorf("%s: manifest.json lists %d layers, the image %d", src.Path, len(e.Layers), len(img.Layers))
	}
	a := &archiveLayers{layers: make([]layers.Layer, len(e.Layers)), order: make([]int, len(e.Layers))}
	if ix.compressed {
		a.gz = &gzArchive{path: src.Path}
	}
	at := make([]int, len(e.Layers))
	for i, name := range e.Layers {
		_, af, err := ix.find(src.Path, "layer", name)
		if err != nil {
			return nil, err
		}
		at[i] = af.idx
		l := layers.Layer{Digest: img.Layers[i].Digest, Size: af.size}
		if ix.compressed {
			idx := af.idx
			l.Open = func(context.Context) (io.ReadCloser, error) { return a.gz.open(idx) }
		} else {
			p, off, size := src.Path, af.off, af.size
			l.Open = func(context.Context) (io.ReadCloser, error) {
				lf, _, err := openRegular(p)
				if err != nil {
					return nil, err
				}
				return struct {
					io.Reader
					io.Closer
				}{io.NewSectionReader(lf, off, size), lf}, nil
			}
		}
		a.layers[i] = l
		a.order[i] = i
	}
	slices.SortStableFunc(a.order, func(x, y int) int { return at[x] - at[y] })
	return a, nil
}

// gzArchive reads the entries of a compressed archive front to back: each
// open continues from the last one, and starts again from the beginning
// only when asked for an entry it has passed. One entry is open at a time.
type gzArchive struct {
	path string
	mu   sync.Mutex
	f    *os.File
	zr   *gzip.Reader
	tr   *tar.Reader
	next int // index of the entry tr.Next returns next
}

func (a *gzArchive) open(idx int) (io.ReadCloser, error) {
	a.mu.Lock()
	if a.tr == nil || idx < a.next {
		if err := a.reset(); err != nil {
			a.mu.Unlock()
			return nil, err
		}
	}
	for {
		_, err := a.tr.Next()
		if err != nil {
			a.mu.Unlock()
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("%s: %w", a.path, err)
		}
		a.next++
		if a.next-1 == idx {
			return &entryReader{r: a.tr, unlock: a.mu.Unlock}, nil
		}
	}
}

func (a *gzArchive) reset() error {
	a.closeFiles()
	f, _, err := openRegular(a.path)
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("%s: %w", a.path, err)
	}
	a.f, a.zr, a.tr, a.next = f, zr, tar.NewReader(zr), 0
	return nil
}

func (a *gzArchive) closeFiles() {
	if a.f != nil {
		_ = a.zr.Close()
		_ = a.f.Close()
		a.f, a.zr, a.tr = nil, nil, nil
	}
}

func (a *gzArchive) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closeFiles()
}

// entryReader is one entry of a gzArchive; closing it frees the archive.
type entryReader struct {
	r      io.Reader
	unlock func()
	once   sync.Once
}

func (e *entryReader) Read(p []byte) (int, error) { return e.r.Read(p) }

func (e *entryReader) Close() error {
	e.once.Do(e.unlock)
	return nil
}

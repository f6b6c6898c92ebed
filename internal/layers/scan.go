package layers

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Type is the kind of a tar entry, as the merge needs it.
type Type byte

// Entry types. A whiteout's Path is the path it deletes; an opaque marker's
// Path is the directory whose lower contents it hides ("" for the root).
const (
	TypeFile     Type = 'f'
	TypeDir      Type = 'd'
	TypeSymlink  Type = 'l'
	TypeHardlink Type = 'h'
	TypeOther    Type = 'x' // devices, FIFOs
	TypeWhiteout Type = 'w'
	TypeOpaque   Type = 'o'
)

func (t Type) valid() bool {
	switch t {
	case TypeFile, TypeDir, TypeSymlink, TypeHardlink, TypeOther, TypeWhiteout, TypeOpaque:
		return true
	}
	return false
}

// Whiteout names (OCI image spec, layer.md).
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
	metaPrefix     = ".wh..wh." // other AUFS metadata: ignored
)

// Entry is one tar entry of a layer.
type Entry struct {
	Path string // relative to the root, cleaned: "usr/bin/env"
	Size int64  // bytes of a regular file; 0 otherwise
	Type Type
}

// Listing is what one layer holds.
type Listing struct {
	Digest string
	// Size is the blob's size (compressed bytes read).
	Size int64
	// UncompressedSize is the size of the tar stream.
	UncompressedSize int64
	Entries          []Entry
}

// stallError: the stream delivered nothing for too long.
type stallError struct{ d time.Duration }

func (e *stallError) Error() string {
	return fmt.Sprintf("no data received for %s", e.d)
}

// scan reads one layer. verified reports whether its blob matched its digest
// (only then may the listing be cached).
func scan(ctx context.Context, l Layer, prog *Progress, stall time.Duration, b *budget) (li *Listing, verified bool, err error) {
	switch {
	case l.Size > MaxLayerSize:
		return nil, false, fmt.Errorf("the manifest declares %d bytes for this layer, more than the %d --deep reads", l.Size, int64(MaxLayerSize))
	case l.Size < 0 || l.Size == 0 && l.Verified:
		return nil, false, fmt.Errorf("the manifest declares a size of %d bytes for this layer: nothing would bound its download", l.Size)
	}
	start := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var blob *blobReader
	defer func() {
		if err == nil {
			return
		}
		// A read cut short by the watchdog or the deadline says "context
		// canceled"; say why.
		cause := context.Cause(ctx)
		var se *stallError
		var slow *slowError
		switch {
		case errors.As(cause, &se):
			err = cause
		case errors.As(cause, &slow):
			var n int64
			if blob != nil {
				n = blob.n
			}
			of := ""
			if l.Size > 0 {
				of = fmt.Sprintf(" of %d", l.Size)
			}
			err = fmt.Errorf("too slow: %d%s bytes in %s (%w)", n, of, time.Since(start).Round(time.Millisecond), slow)
		}
	}()

	rc, err := l.Open(ctx)
	if err != nil {
		return nil, false, err
	}
	defer func() { _ = rc.Close() }()

	blob = &blobReader{ctx: ctx, r: rc, declared: l.Size, prog: prog}
	if !l.Verified {
		if alg, hexPart, ok := strings.Cut(l.Digest, ":"); ok && alg == "sha256" && len(hexPart) == 64 {
			blob.hash, blob.want = sha256.New(), hexPart
		}
	}
	blob.touch()
	if stall > 0 {
		stop := watch(ctx, cancel, blob, stall)
		defer stop()
	}

	cl, err := partial.CompressedToLayer(&compressedBlob{rc: blob})
	if err != nil {
		return nil, false, err
	}
	urc, err := cl.Uncompressed()
	if err != nil {
		return nil, false, blob.explain(nil, fmt.Errorf("cannot decompress the layer: %w", err))
	}
	defer func() { _ = urc.Close() }()
	u := &countingReader{r: urc}

	li, err = readTar(ctx, u, b)
	if err != nil {
		return nil, false, blob.explain(u, err)
	}
	// The rest of the stream (the tar's end blocks, a compressor's
	// trailer), to its end: that is where the digest is checked.
	if _, err := io.Copy(io.Discard, u); err != nil {
		return nil, false, blob.explain(u, err)
	}
	if _, err := io.Copy(io.Discard, blob); err != nil {
		return nil, false, blob.explain(nil, err)
	}
	if blob.err != nil {
		return nil, false, blob.err
	}
	if l.Size > 0 && blob.n != l.Size {
		return nil, false, fmt.Errorf("the layer blob is %d bytes, the manifest declares %d", blob.n, l.Size)
	}
	li.Digest = l.Digest
	li.Size = blob.n
	li.UncompressedSize = u.n
	return li, l.Digest != "" && (l.Verified || blob.hash != nil), nil
}

// readTar lists a tar stream's entries, skipping file bodies, within b's
// caps.
func readTar(ctx context.Context, r io.Reader, b *budget) (*Listing, error) {
	tr := tar.NewReader(r)
	li := &Listing{}
	pathBytes := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return li, nil
		}
		if err != nil {
			return nil, fmt.Errorf("not a valid tar stream: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, ok := entryOf(h)
		if !ok {
			continue
		}
		if len(e.Path) > b.pathLen {
			return nil, fmt.Errorf("a path of %d bytes, more than the %d a path may have: %s", len(e.Path), b.pathLen, clip(e.Path))
		}
		if len(li.Entries) >= b.layerEntries {
			return nil, fmt.Errorf("more than %d entries in one layer", b.layerEntries)
		}
		if pathBytes += len(e.Path); pathBytes > b.layerPathBytes {
			return nil, fmt.Errorf("more than %d bytes of paths in one layer", b.layerPathBytes)
		}
		if err := b.charge(e); err != nil {
			return nil, err
		}
		li.Entries = append(li.Entries, e)
	}
}

// clip quotes the start of a long path for a message.
func clip(p string) string {
	const n = 40
	if len(p) <= n {
		return strconv.Quote(p)
	}
	return strconv.Quote(p[:n]) + "…"
}

// entryOf reads a tar header as an Entry; false for the root and for
// entries that say nothing about the filesystem.
func entryOf(h *tar.Header) (Entry, bool) {
	p, ok := cleanPath(h.Name)
	if !ok {
		return Entry{}, false
	}
	dir, base := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case base == opaqueMarker:
		return Entry{Path: dir, Type: TypeOpaque}, true
	case strings.HasPrefix(base, metaPrefix):
		return Entry{}, false
	case strings.HasPrefix(base, whiteoutPrefix):
		name := base[len(whiteoutPrefix):]
		if name == "" || name == "." || name == ".." {
			return Entry{}, false
		}
		return Entry{Path: path.Join(dir, name), Type: TypeWhiteout}, true
	}
	e := Entry{Path: p}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeGNUSparse: // archive/tar reads the old TypeRegA as TypeReg
		e.Type, e.Size = TypeFile, max(h.Size, 0)
	case tar.TypeDir:
		e.Type = TypeDir
	case tar.TypeSymlink:
		e.Type = TypeSymlink
	case tar.TypeLink:
		e.Type = TypeHardlink
	default:
		e.Type = TypeOther
	}
	return e, true
}

// cleanPath makes a tar name relative to the root: "./usr/bin/" →
// "usr/bin". A name that climbs out of the root stays inside it, as
// extraction would keep it; false for the root itself.
func cleanPath(name string) (string, bool) {
	p := path.Clean("/" + name)
	if p == "/" {
		return "", false
	}
	return p[1:], true
}

// compressedBlob adapts a blob stream to go-containerregistry, whose
// Uncompressed sniffs the compression (gzip, zstd, none) and decompresses.
type compressedBlob struct{ rc io.ReadCloser }

func (c *compressedBlob) Compressed() (io.ReadCloser, error)  { return c.rc, nil }
func (c *compressedBlob) Digest() (v1.Hash, error)            { return v1.Hash{}, errors.New("digest not known") }
func (c *compressedBlob) Size() (int64, error)                { return -1, errors.New("size not known") }
func (c *compressedBlob) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }

// blobReader reads the blob: it counts bytes (and reports them to the
// progress), refuses more than the manifest declares (more than
// MaxLayerSize when it declares nothing), hashes when asked,
// honours ctx between reads, and records the time of the last byte for the
// stall watchdog.
type blobReader struct {
	ctx      context.Context
	r        io.Reader
	declared int64
	prog     *Progress
	hash     hash.Hash
	want     string // hex digest expected when hash is set

	n    int64
	last atomic.Int64 // unix nanoseconds of the last read
	err  error        // the first failure (not io.EOF)
	eof  bool
}

func (b *blobReader) touch() { b.last.Store(time.Now().UnixNano()) }

func (b *blobReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.eof {
		return 0, io.EOF
	}
	if err := b.ctx.Err(); err != nil {
		b.err = err
		return 0, err
	}
	n, err := b.r.Read(p)
	if n > 0 {
		b.n += int64(n)
		b.prog.Read.Add(int64(n))
		b.touch()
		if b.hash != nil {
			b.hash.Write(p[:n])
		}
		if b.declared > 0 && b.n > b.declared {
			b.err = fmt.Errorf("the layer blob is larger than the %d bytes the manifest declares", b.declared)
			return n, b.err
		}
		if b.declared <= 0 && b.n > MaxLayerSize {
			b.err = fmt.Errorf("the layer blob is larger than %d bytes, the most --deep reads", int64(MaxLayerSize))
			return n, b.err
		}
	}
	switch {
	case errors.Is(err, io.EOF):
		b.eof = true
		if b.declared > 0 && b.n < b.declared {
			b.err = fmt.Errorf("the layer blob is truncated: %d of the %d bytes the manifest declares", b.n, b.declared)
			return n, b.err
		}
		if b.hash != nil {
			if got := hex.EncodeToString(b.hash.Sum(nil)); got != b.want {
				b.err = fmt.Errorf("the layer blob does not match its digest (sha256:%s…): it is corrupt", got[:12])
				return n, b.err
			}
		}
		return n, io.EOF
	case err != nil:
		b.err = err
	}
	return n, err
}

func (b *blobReader) Close() error { return nil }

// explain picks the most telling of the failures: the blob's own (network,
// size, digest) over the decompressor's over the tar reader's.
func (b *blobReader) explain(u *countingReader, err error) error {
	if b.err == nil && b.hash != nil && !b.eof {
		// A damaged blob is best described as such: a local blob is
		// cheap to read to its end, where its digest is checked.
		_, _ = io.Copy(io.Discard, b)
	}
	if b.err != nil {
		return b.err
	}
	if u != nil && u.err != nil && !errors.Is(u.err, io.EOF) {
		return fmt.Errorf("cannot decompress the layer: %w", u.err)
	}
	return err
}

// countingReader counts the uncompressed bytes and keeps the first error.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// watch cancels ctx when b has read nothing for d.
func watch(ctx context.Context, cancel context.CancelCauseFunc, b *blobReader, d time.Duration) (stop func()) {
	done := make(chan struct{})
	tick := min(d/4, time.Second)
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case now := <-t.C:
				if now.Sub(time.Unix(0, b.last.Load())) > d {
					cancel(&stallError{d: d})
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

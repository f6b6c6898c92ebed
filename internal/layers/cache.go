package layers

import (
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/dockvet/dockvet/internal/cachefile"
	"github.com/dockvet/dockvet/internal/safefile"
)

// cacheVersion changes whenever the listing format or its meaning does;
// entries of another version are ignored and replaced.
const cacheVersion = 1

// maxCacheFile bounds a cache file, compressed and decompressed: anyone who
// can write to the cache directory can plant a small gzip stream that
// expands to gigabytes (the JSON decoder holds it all, several times over).
// A listing whose JSON is larger (a layer of some million files) is not
// cached, and read from its blob each time: the cache only saves work.
const maxCacheFile = 128 << 20

// diskCache keeps listings under <dir>/layers/sha256/<hex>.json.gz, one
// gzip-compressed JSON document per blob digest:
//
//	{"version":1,"digest":"sha256:…","size":N,"uncompressed":N,
//	 "paths":[…],"sizes":[…],"types":"fdl…"}
//
// paths, sizes and types are parallel (types one byte per entry). A
// listing is stored only after its blob was read to the end and matched its
// digest, so an entry is trusted as it is; one that does not decode, or
// names another digest, is removed and the layer read again. Files are
// written to a temporary file and renamed, so readers never see half of
// one. Errors are swallowed: the cache only saves work.
type diskCache struct {
	dir string // "" disables the cache
	// maxFile bounds an entry, compressed and decompressed; 0 means
	// maxCacheFile (tests lower it).
	maxFile int64
}

func (c *diskCache) limit() int64 {
	if c.maxFile > 0 {
		return c.maxFile
	}
	return maxCacheFile
}

type cacheFile struct {
	Version      int      `json:"version"`
	Digest       string   `json:"digest"`
	Size         int64    `json:"size"`
	Uncompressed int64    `json:"uncompressed"`
	Paths        []string `json:"paths"`
	Sizes        []int64  `json:"sizes"`
	Types        string   `json:"types"`
}

// file is the cache file of digest; false for digests that are not sha256
// (they could not be verified, and must not become a path).
func (c *diskCache) file(digest string) (string, bool) {
	if c == nil || c.dir == "" {
		return "", false
	}
	h, ok := strings.CutPrefix(digest, "sha256:")
	if !ok || len(h) != 64 {
		return "", false
	}
	if _, err := hex.DecodeString(h); err != nil || strings.ToLower(h) != h {
		return "", false
	}
	return filepath.Join(c.dir, "layers", "sha256", h+".json.gz"), true
}

func (c *diskCache) get(digest string) (*Listing, bool) {
	p, ok := c.file(digest)
	if !ok {
		return nil, false
	}
	// The cache directory is shared: the entry may be a FIFO (a plain open
	// would block) or a link to /dev/zero.
	f, st, err := safefile.Open(p)
	if err != nil {
		var nr *safefile.NotRegularError
		if errors.As(err, &nr) {
			_ = os.Remove(p)
		}
		return nil, false
	}
	defer f.Close()
	if st.Size() > c.limit() {
		_ = os.Remove(p)
		return nil, false
	}
	li, err := decodeListing(f, digest, c.limit())
	if err != nil {
		_ = os.Remove(p)
		return nil, false
	}
	return li, true
}

// decodeListing decodes a cache entry of at most limit bytes of JSON.
func decodeListing(r io.Reader, digest string, limit int64) (*Listing, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	var cf cacheFile
	// Past limit the JSON is cut short and fails to decode.
	if err := json.NewDecoder(io.LimitReader(zr, limit)).Decode(&cf); err != nil {
		return nil, err
	}
	n := len(cf.Paths)
	switch {
	case cf.Version != cacheVersion:
		return nil, errors.New("other version")
	case cf.Digest != digest:
		return nil, errors.New("other digest")
	case len(cf.Sizes) != n || len(cf.Types) != n || cf.Size < 0 || cf.Uncompressed < 0:
		return nil, errors.New("malformed")
	case n > MaxEntries:
		return nil, errors.New("too many entries")
	}
	li := &Listing{Digest: digest, Size: cf.Size, UncompressedSize: cf.Uncompressed, Entries: make([]Entry, n)}
	pathBytes := 0
	for i := range n {
		t := Type(cf.Types[i])
		if !t.valid() || cf.Sizes[i] < 0 {
			return nil, errors.New("malformed entry")
		}
		// The caps readTar applies (a listing cached before them may
		// exceed them).
		if pathBytes += len(cf.Paths[i]); len(cf.Paths[i]) > MaxPathLen || pathBytes > MaxPathBytes {
			return nil, errors.New("paths too long")
		}
		li.Entries[i] = Entry{Path: cf.Paths[i], Size: cf.Sizes[i], Type: t}
	}
	return li, nil
}

func (c *diskCache) put(li *Listing) {
	p, ok := c.file(li.Digest)
	if !ok {
		return
	}
	if _, err := os.Stat(p); err == nil {
		return
	}
	cf := cacheFile{
		Version: cacheVersion, Digest: li.Digest, Size: li.Size, Uncompressed: li.UncompressedSize,
		Paths: make([]string, len(li.Entries)), Sizes: make([]int64, len(li.Entries)),
	}
	types := make([]byte, len(li.Entries))
	for i, e := range li.Entries {
		if !utf8.ValidString(e.Path) {
			return // JSON would not keep the name as it is
		}
		cf.Paths[i], cf.Sizes[i], types[i] = e.Path, e.Size, byte(e.Type)
	}
	cf.Types = string(types)

	_ = cachefile.Write(p, func(w io.Writer) error {
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		// get would refuse a larger entry: do not write it.
		if err := json.NewEncoder(&cappedWriter{w: zw, left: c.limit()}).Encode(&cf); err != nil {
			return err
		}
		return zw.Close()
	})
}

// errCacheFileTooLarge stops writing a listing that get would refuse.
var errCacheFileTooLarge = errors.New("listing larger than the cache takes")

// cappedWriter fails once more than left bytes were written to it.
type cappedWriter struct {
	w    io.Writer
	left int64
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		return 0, errCacheFileTooLarge
	}
	c.left -= int64(len(p))
	return c.w.Write(p)
}

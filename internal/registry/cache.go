package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dockvet/dockvet/internal/cachefile"
	"github.com/dockvet/dockvet/internal/safefile"
)

// diskCache is the resolver's on-disk cache, under <dir>/registry/:
//
//	blobs/sha256/<hex>   manifests, indexes and configs, by digest, forever
//	tags/<sha256(name)>  {"name","repo","digest","fetched"}: tag → top-level digest
//	repos/<sha256(repo)>/<hex>  empty: the manifest <hex> was fetched from repo
//
// A tag entry is trusted (within its TTL) only when it names its own tag and
// repository and its digest is a manifest fetched from that repository: an
// entry that points at another repository's image, however it got there,
// is a miss.
//
// Blobs are content addressed: a blob whose bytes do not hash to its name
// is corrupt, ignored and removed. Files are written to a temporary file and
// renamed into place, so readers never see a partial file. A nil or
// dir-less cache stores nothing. All errors are swallowed: the cache only
// saves requests.
type diskCache struct {
	dir string // "" disables the cache
	ttl time.Duration
}

type tagEntry struct {
	Name    string    `json:"name"`
	Repo    string    `json:"repo"`
	Digest  string    `json:"digest"`
	Fetched time.Time `json:"fetched"`
}

func (c *diskCache) enabled() bool { return c != nil && c.dir != "" }

func (c *diskCache) blobPath(digest string) (string, bool) {
	hexPart, ok := strings.CutPrefix(digest, "sha256:")
	if !ok || len(hexPart) != 64 {
		return "", false
	}
	if _, err := hex.DecodeString(hexPart); err != nil {
		return "", false
	}
	return filepath.Join(c.dir, "registry", "blobs", "sha256", hexPart), true
}

// maxTagEntrySize bounds a tag entry (a repository, a digest and a time).
const maxTagEntrySize = 64 << 10

func (c *diskCache) tagPath(name string) string {
	sum := sha256.Sum256([]byte(name))
	return filepath.Join(c.dir, "registry", "tags", hex.EncodeToString(sum[:]))
}

// blob returns the cached bytes of digest, verified against it.
func (c *diskCache) blob(digest string) ([]byte, bool) {
	if !c.enabled() {
		return nil, false
	}
	p, ok := c.blobPath(digest)
	if !ok {
		return nil, false
	}
	// A cache directory is not trusted to hold only what we wrote: a link to
	// /dev/zero or a FIFO there must neither exhaust memory nor block.
	b, err := safefile.ReadFile(p, max(MaxConfigSize, MaxManifestSize))
	if err != nil {
		var notRegular *safefile.NotRegularError
		var tooLarge *safefile.TooLargeError
		if errors.As(err, &notRegular) || errors.As(err, &tooLarge) {
			_ = os.Remove(p)
		}
		return nil, false
	}
	if sum := sha256.Sum256(b); "sha256:"+hex.EncodeToString(sum[:]) != digest {
		_ = os.Remove(p)
		return nil, false
	}
	return b, true
}

// putBlob stores b under digest, if b hashes to it.
func (c *diskCache) putBlob(digest string, b []byte) {
	if !c.enabled() {
		return
	}
	p, ok := c.blobPath(digest)
	if !ok {
		return
	}
	if sum := sha256.Sum256(b); "sha256:"+hex.EncodeToString(sum[:]) != digest {
		return
	}
	if _, err := os.Stat(p); err == nil {
		return
	}
	writeAtomic(p, b)
}

// repoPath is the marker that manifest digest was fetched from repo.
func (c *diskCache) repoPath(repo, digest string) (string, bool) {
	p, ok := c.blobPath(digest)
	if !ok {
		return "", false
	}
	sum := sha256.Sum256([]byte(repo))
	return filepath.Join(c.dir, "registry", "repos", hex.EncodeToString(sum[:]), filepath.Base(p)), true
}

// tag returns the cache entry for a tag reference name of repository repo,
// if it is bound to repo (see diskCache).
func (c *diskCache) tag(name, repo string) (tagEntry, bool) {
	if !c.enabled() {
		return tagEntry{}, false
	}
	b, err := safefile.ReadFile(c.tagPath(name), maxTagEntrySize)
	if err != nil {
		return tagEntry{}, false
	}
	var e tagEntry
	if json.Unmarshal(b, &e) != nil || e.Name != name || e.Repo != repo || e.Fetched.IsZero() {
		return tagEntry{}, false
	}
	marker, ok := c.repoPath(repo, e.Digest)
	if !ok {
		return tagEntry{}, false
	}
	if _, err := os.Stat(marker); err != nil {
		return tagEntry{}, false
	}
	return e, true
}

// fresh reports whether e may be trusted at now: within the TTL, and not
// from the future (a clock that went back).
func (c *diskCache) fresh(e tagEntry, now time.Time) bool {
	age := now.Sub(e.Fetched)
	return c.ttl > 0 && age < c.ttl && age > -time.Minute
}

// putTag records that tag name of repo pointed at manifest digest, fetched
// from repo, at now.
func (c *diskCache) putTag(name, repo, digest string, now time.Time) {
	if !c.enabled() {
		return
	}
	marker, ok := c.repoPath(repo, digest)
	if !ok {
		return
	}
	b, err := json.Marshal(tagEntry{Name: name, Repo: repo, Digest: digest, Fetched: now.UTC()})
	if err != nil {
		return
	}
	if _, err := os.Stat(marker); err != nil {
		writeAtomic(marker, nil)
	}
	writeAtomic(c.tagPath(name), b)
}

// writeAtomic writes b to p; a cache that cannot be written is no error.
func writeAtomic(p string, b []byte) {
	_ = cachefile.Write(p, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

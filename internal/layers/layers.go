// Package layers reads the contents of an image's layers for `dockvet image
// --deep`. Each layer is streamed once: its blob is decompressed (gzip,
// zstd or none, by go-containerregistry) and only its tar headers are read,
// file bodies are skipped and never buffered. Layers are read concurrently
// (GOMAXPROCS at a time), and their listings are merged oldest first into
// what later layers delete or overwrite (wasted bytes) and what the final
// filesystem holds under each VOLUME path.
//
// Memory grows with the number of files, not with their size: a listing
// keeps, per tar entry, its path, size and type; the merged filesystem keeps
// one small node per path, with interned names. It is bounded by caps that
// no real image comes near, so that a small crafted layer (tar names of up
// to a megabyte each, which compress to almost nothing) cannot exhaust it:
// a path may be MaxPathLen bytes long, one layer may hold MaxEntries entries
// and MaxPathBytes bytes of paths, and an image's layers together
// MaxImageEntries entries and MaxImagePathBytes bytes of paths. A layer past
// a cap fails with an error that says which cap (and Analyze names the
// layer); nothing is truncated.
//
// Time is bounded too: a registry layer whose manifest declares no size,
// and any layer that declares more than MaxLayerSize, is refused before it
// is read; a stream may not go StallTimeout without a byte; and all of an
// image's layers must be read within max(2 × StallTimeout, their declared
// bytes at MinRate), so a registry that trickles bytes ends in a "too slow"
// error.
//
// Listings are cached on disk by blob digest (<CacheDir>/layers/), once the
// blob has been read to its end and matched its digest, so that a second run
// reads no layer at all.
package layers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dockvet/dockvet/internal/image"
)

// DefaultStallTimeout is how long a layer download may go without receiving
// a byte before it is abandoned.
const DefaultStallTimeout = 60 * time.Second

// Bounds on what the listings may hold (see the package comment): a layer
// or an image past one is refused rather than allowed to exhaust memory.
const (
	// MaxEntries bounds the tar entries of one layer.
	MaxEntries = 4 << 20
	// MaxPathLen bounds the length of one path (Linux's PATH_MAX); tar
	// allows names of up to a megabyte.
	MaxPathLen = 4 << 10
	// MaxPathBytes bounds the bytes of all the paths of one layer.
	MaxPathBytes = 256 << 20
	// MaxImageEntries and MaxImagePathBytes bound the same for all the
	// layers of one Analyze together (a layer repeated is counted once).
	MaxImageEntries   = 8 << 20
	MaxImagePathBytes = 1 << 30
)

// MaxLayerSize is the largest layer blob Analyze reads: a declared size
// beyond it is refused.
const MaxLayerSize = 64 << 30

// DefaultMinRate is the slowest average, in blob bytes per second, at which
// an image's layers may be read (see Options.MinRate).
const DefaultMinRate = 1 << 20

// Layer is one layer to read.
type Layer struct {
	// Digest is the digest of the blob Open returns ("sha256:..."); "" when
	// unknown. It keys the cache, and Open's bytes are checked against it
	// unless Verified.
	Digest string
	// Size is the blob's size as the manifest declares it (0: unknown). A
	// blob that turns out larger or smaller is refused, as is a declared
	// size over MaxLayerSize. A Verified layer must declare its size: its
	// stream (a registry's) is checked only at its end, and nothing else
	// would bound it. An unknown size is bounded by MaxLayerSize.
	Size int64
	// Open returns the layer blob: a tar stream, gzip- or zstd-compressed
	// or not. It is called at most once per Analyze, and the stream is read
	// to its end.
	Open func(ctx context.Context) (io.ReadCloser, error)
	// Verified says that Open's stream checks the digest itself and fails
	// at its end on a mismatch (go-containerregistry's remote layers do);
	// otherwise Analyze hashes the blob (sha256 digests only; a layer with
	// another or no digest is read unverified and not cached).
	Verified bool
}

// Options configures Analyze.
type Options struct {
	// CacheDir holds the listings cache (in CacheDir/layers/); "" disables it.
	CacheDir string
	// Jobs is how many layers are read at once; <= 0 means GOMAXPROCS.
	Jobs int
	// Order, when set, is the order in which layers are read (a permutation
	// of their indexes), e.g. the order of their blobs in one compressed
	// archive; the merge is oldest first whatever the order.
	Order []int
	// Progress, when set, is advanced as layers are read; the caller sets
	// its totals (Plan).
	Progress *Progress
	// StallTimeout abandons a layer whose stream delivers nothing for that
	// long (0: DefaultStallTimeout; < 0: never).
	StallTimeout time.Duration
	// MinRate, in blob bytes per second, sets the deadline of the whole
	// Analyze: the layers' declared sizes at that rate, and at least twice
	// the stall timeout (DefaultStallTimeout when there is none). A layer
	// still being read then fails as "too slow". 0: DefaultMinRate; < 0: no
	// deadline.
	MinRate int64
	// Volumes are the image's VOLUME paths; Analyze reports what the final
	// filesystem holds under each.
	Volumes []string
}

// Progress counts what Analyze has done; all fields are safe to read while
// it runs. One Progress may span several Analyze calls (several images).
type Progress struct {
	// Layers and Bytes are the totals to expect (see Plan).
	Layers atomic.Int64
	Bytes  atomic.Int64
	// Done counts layers finished (read or found in the cache), Cached
	// those found in the cache.
	Done   atomic.Int64
	Cached atomic.Int64
	// Read counts blob bytes read, plus the size of cached layers.
	Read atomic.Int64
}

// Plan adds layers layers of bytes bytes to the totals.
func (p *Progress) Plan(layers int, bytes int64) {
	if p == nil {
		return
	}
	p.Layers.Add(int64(layers))
	p.Bytes.Add(bytes)
}

// LayerError says which layer could not be read.
type LayerError struct {
	Index  int // 0-based, in manifest order
	Digest string
	Err    error
}

func (e *LayerError) Error() string {
	if e.Digest == "" {
		return fmt.Sprintf("layer %d: %v", e.Index+1, e.Err)
	}
	return fmt.Sprintf("layer %d (%s): %v", e.Index+1, ShortDigest(e.Digest), e.Err)
}

func (e *LayerError) Unwrap() error { return e.Err }

// ShortDigest abbreviates a digest for messages: "sha256:0123456789ab".
func ShortDigest(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

// Analyze reads every layer (from the cache when it can) and merges them
// oldest first. The result's Layers parallel ls; its history entries are
// left 0 (the caller knows the history). The first layer that cannot be
// read stops the others and is returned as a *LayerError.
func Analyze(ctx context.Context, ls []Layer, opts Options) (*image.DeepInfo, error) {
	n := len(ls)
	order := opts.Order
	if order == nil {
		order = make([]int, n)
		for i := range order {
			order[i] = i
		}
	} else if !isPermutation(order, n) {
		return nil, errors.New("layers: Order is not a permutation of the layers")
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	jobs = max(1, min(jobs, n))
	stall := opts.StallTimeout
	if stall == 0 {
		stall = DefaultStallTimeout
	}
	cache := &diskCache{dir: opts.CacheDir}
	prog := opts.Progress
	if prog == nil {
		prog = &Progress{}
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	// One slot per distinct blob: a layer that repeats an earlier digest
	// shares its slot and is read once.
	type slot struct {
		idx   int // the layer that is read
		users int // layers sharing it
		li    *Listing
		err   error
		done  chan struct{}
	}
	slots := make([]*slot, n)
	byDigest := map[string]*slot{}
	for _, i := range order {
		d := ls[i].Digest
		if s := byDigest[d]; d != "" && s != nil {
			s.users++
			slots[i] = s
			continue
		}
		s := &slot{idx: i, users: 1, done: make(chan struct{})}
		slots[i] = s
		if d != "" {
			byDigest[d] = s
		}
	}

	if opts.MinRate >= 0 {
		rate := cmp.Or(opts.MinRate, DefaultMinRate)
		var declared int64
		for i, s := range slots {
			if s.idx == i {
				declared += max(ls[i].Size, 0)
			}
		}
		slow := newSlowError(declared, rate, stall)
		t := time.AfterFunc(slow.limit, func() { cancel(slow) })
		defer t.Stop()
	}
	b := newBudget()

	work := make(chan *slot)
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for s := range work {
				s.li, s.err = load(ctx, ls[s.idx], cache, prog, stall, b)
				if s.err == nil {
					prog.Done.Add(int64(s.users))
				}
				close(s.done)
			}
		})
	}
	wg.Go(func() {
		defer close(work)
		for _, i := range order {
			s := slots[i]
			if s.idx != i {
				continue
			}
			select {
			case work <- s:
			case <-ctx.Done():
				s.err = ctx.Err()
				close(s.done)
			}
		}
	})

	m := newMerger(n, opts.Volumes)
	for i := range n {
		s := slots[i]
		<-s.done
		if s.err != nil {
			cancel(nil)
			wg.Wait()
			if errors.Is(s.err, context.Canceled) && ctx.Err() != nil {
				// Report the layer that failed first, not one it cancelled.
				for j := range n {
					if e := slots[j].err; e != nil && !errors.Is(e, context.Canceled) {
						return nil, &LayerError{Index: slots[j].idx, Digest: ls[slots[j].idx].Digest, Err: e}
					}
				}
			}
			return nil, &LayerError{Index: s.idx, Digest: ls[s.idx].Digest, Err: s.err}
		}
		m.add(i, s.li)
		if s.users--; s.users == 0 {
			s.li = nil // merged for the last time: let it go
		}
	}
	wg.Wait()
	return m.result(), nil
}

func isPermutation(order []int, n int) bool {
	if len(order) != n {
		return false
	}
	seen := make([]bool, n)
	for _, i := range order {
		if i < 0 || i >= n || seen[i] {
			return false
		}
		seen[i] = true
	}
	return true
}

// load returns a layer's listing from the cache, or reads the layer and
// caches the listing when the blob's digest was checked.
func load(ctx context.Context, l Layer, cache *diskCache, prog *Progress, stall time.Duration, b *budget) (*Listing, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if li, ok := cache.get(l.Digest); ok {
		for _, e := range li.Entries {
			if err := b.charge(e); err != nil {
				return nil, err
			}
		}
		prog.Cached.Add(1)
		prog.Read.Add(li.Size)
		return li, nil
	}
	if l.Open == nil {
		return nil, errors.New("no way to read this layer")
	}
	li, verified, err := scan(ctx, l, prog, stall, b)
	if err != nil {
		return nil, err
	}
	if verified {
		cache.put(li)
	}
	return li, nil
}

// slowError is the cause with which Analyze's deadline cancels the reads.
type slowError struct {
	limit    time.Duration
	declared int64 // the layers' declared bytes
	rate     int64 // bytes per second
	stall    time.Duration
}

// newSlowError sets the deadline: max(2 × stall, declared bytes at rate).
func newSlowError(declared, rate int64, stall time.Duration) *slowError {
	if stall <= 0 {
		stall = DefaultStallTimeout
	}
	e := &slowError{limit: 2 * stall, declared: declared, rate: rate, stall: stall}
	if secs := float64(declared) / float64(rate); secs >= float64(math.MaxInt64/int64(time.Second)) {
		e.limit = math.MaxInt64
	} else {
		e.limit = max(e.limit, time.Duration(secs*float64(time.Second)))
	}
	return e
}

func (e *slowError) Error() string {
	return fmt.Sprintf("the image's layers must be read within %s: their %d declared bytes at %s/s, and at least twice the %s stall timeout",
		e.limit, e.declared, rateString(e.rate), e.stall)
}

// rateString words a rate in bytes: "1 MiB", "512 KiB", "100 B".
func rateString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// budget bounds what the listings of one Analyze hold: per layer (limits
// read by readTar) and for all layers together (the counters, shared by the
// concurrent reads).
type budget struct {
	pathLen, layerEntries, layerPathBytes int
	imageEntries, imagePathBytes          int64

	entries, pathBytes atomic.Int64
}

func newBudget() *budget {
	return &budget{
		pathLen: MaxPathLen, layerEntries: MaxEntries, layerPathBytes: MaxPathBytes,
		imageEntries: MaxImageEntries, imagePathBytes: MaxImagePathBytes,
	}
}

// charge counts one more entry against the image's caps.
func (b *budget) charge(e Entry) error {
	if b.entries.Add(1) > b.imageEntries {
		return fmt.Errorf("more than %d entries in the image's layers", b.imageEntries)
	}
	if b.pathBytes.Add(int64(len(e.Path))) > b.imagePathBytes {
		return fmt.Errorf("more than %d bytes of paths in the image's layers", b.imagePathBytes)
	}
	return nil
}

package registry

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/dockvet/dockvet/internal/image"
)

// concurrency bounds the lookups in flight to one registry host, across
// every Resolve call of a Resolver (and go-containerregistry's own jobs).
const concurrency = 8

// Result is the answer for one Request: an image or an *Error.
type Result struct {
	Image *image.Image
	Err   error
}

// Stats counts what a Resolver did over its lifetime, for tests and
// verbose output.
type Stats struct {
	// Requests is the number of HTTP round trips sent, retries included.
	// A plain-HTTP (loopback or insecure) registry is first tried over
	// HTTPS; that failed attempt counts too.
	Requests int64
	// Resolutions is the number of distinct (reference, platform) pairs
	// looked up in a registry.
	Resolutions int64
	// CacheHits is the number of distinct (reference, platform) pairs
	// answered from the disk cache without any request.
	CacheHits int64
	// OfflineMisses is the number of distinct (reference, platform) pairs
	// that an offline Resolver could not answer from the cache.
	OfflineMisses int64
}

// Resolver resolves image references; see the package comment. It is safe
// for concurrent use, and meant to serve one run: successful answers are
// kept in memory for its lifetime, and its registry sessions (one
// go-containerregistry Puller, which authenticates once per repository)
// are reused by every Resolve call.
type Resolver struct {
	opts  options
	cache *diskCache
	now   func() time.Time // the clock for tag TTLs; tests replace it

	pullerOnce sync.Once
	puller     *remote.Puller
	pullerErr  error

	// secrets are the credentials handed out by the keychain, redacted
	// from every error by value.
	secrets secrets

	requests    atomic.Int64
	resolutions atomic.Int64
	cacheHits   atomic.Int64

	// deadline is the run's: WithDeadline's, else set by the first
	// Resolve call to WithTimeout from then; shared by every later call.
	deadlineOnce sync.Once
	deadline     time.Time

	mu            sync.Mutex
	memo          map[string]*image.Image  // key → resolved image (Ref unset)
	hostSlots     map[string]chan struct{} // registry host → lookups in flight
	offlineMisses map[string]bool          // keys an offline run could not answer
}

// New returns a Resolver for one run.
func New(opts ...Option) *Resolver {
	o := options{platform: DefaultPlatform, timeout: DefaultTimeout, tagTTL: DefaultTagTTL}
	for _, opt := range opts {
		opt(&o)
	}
	if o.platform == "" {
		o.platform = DefaultPlatform
	}
	if o.timeout <= 0 {
		o.timeout = DefaultTimeout
	}
	return &Resolver{
		opts:  o,
		cache: &diskCache{dir: o.cacheDir, ttl: o.tagTTL},
		now:   time.Now,
		memo:  map[string]*image.Image{},

		hostSlots:     map[string]chan struct{}{},
		offlineMisses: map[string]bool{},
	}
}

// Stats returns the counters so far.
func (r *Resolver) Stats() Stats {
	s := Stats{
		Requests:    r.requests.Load(),
		Resolutions: r.resolutions.Load(),
		CacheHits:   r.cacheHits.Load(),
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s.OfflineMisses = int64(len(r.offlineMisses))
	return s
}

// job is one distinct (reference, platform) of a Resolve call.
type job struct {
	ref  name.Reference
	plat v1.Platform
	key  string
	idx  []int // the requests it answers
	done chan struct{}
	img  *image.Image // written before done is closed
	fail *Error       // classified when the lookup returned; Ref unset
}

// Resolve resolves every request, concurrently, and returns one Result per
// request in the same order. Equal requests (the same image and platform,
// however the reference is spelled) are resolved once. The deadline set by
// WithTimeout is the run's, not the call's: it starts with the first
// Resolve call, and every call returns by it (or by ctx's deadline or
// cancellation, if earlier): whatever has not finished by then fails with
// ReasonTimeout. Every Err is an *Error. No lookup outlives the call: after
// the deadline Resolve cancels the unfinished ones and waits for them, which
// is immediate for network I/O and at most a credential helper's WaitDelay;
// only a lookup stuck beyond stragglerWait is left behind.
//
// Images are shared between the results of equal requests except for Ref,
// which is the request's; callers must not modify them. Callers must not
// pass "scratch", which is not an image.
func (r *Resolver) Resolve(ctx context.Context, reqs []Request) []Result {
	r.deadlineOnce.Do(func() {
		r.deadline = r.opts.deadline
		if r.deadline.IsZero() {
			r.deadline = time.Now().Add(r.opts.timeout)
		}
	})
	ctx, cancel := context.WithDeadline(ctx, r.deadline)
	defer cancel()

	out := make([]Result, len(reqs))
	jobs := map[string]*job{}
	var order []*job
	for i, q := range reqs {
		ref, plat, err := r.parse(q)
		if err != nil {
			out[i] = Result{Err: err}
			continue
		}
		key := ref.Name() + " " + plat.String()
		if img := r.memoized(key); img != nil {
			out[i] = Result{Image: withRef(img, q.Ref)}
			continue
		}
		j := jobs[key]
		if j == nil {
			j = &job{ref: ref, plat: plat, key: key, done: make(chan struct{})}
			jobs[key] = j
			order = append(order, j)
		}
		j.idx = append(j.idx, i)
	}

	var running sync.WaitGroup
	defer func() {
		// No job outlives the call (it would write the cache, memo and
		// counters after the run): cancel the stragglers and wait for
		// them, but at most stragglerWait, since a job stuck where
		// cancellation does not reach must not hang the run.
		cancel()
		waitAtMost(&running, stragglerWait)
	}()
	for _, j := range order {
		running.Go(func() {
			defer close(j.done)
			img, err := r.lookup(ctx, j.ref, j.plat)
			if err != nil {
				// Classify now: after the deadline, any error looks like it.
				j.fail = r.classify(ctx, "", err)
				if j.fail.Reason == ReasonOffline {
					r.mu.Lock()
					r.offlineMisses[j.key] = true
					r.mu.Unlock()
				}
				return
			}
			j.img = img
		})
	}

	// After the deadline, jobs get one short grace period (in all) to
	// return their own error, often the same timeout; the answers of the
	// stragglers are then timeouts, and the deferred wait above ends them.
	var grace context.Context
	for _, j := range order {
		finished := true
		select {
		case <-j.done:
		case <-ctx.Done():
			if grace == nil {
				var cancelGrace context.CancelFunc
				grace, cancelGrace = context.WithTimeout(context.WithoutCancel(ctx), 10*time.Millisecond)
				defer cancelGrace()
			}
			select {
			case <-j.done:
			case <-grace.Done():
				finished = false
			}
		}
		// A job that has not finished may still write its fields: read them
		// only once done is closed.
		var img *image.Image
		var fail *Error
		if finished {
			img, fail = j.img, j.fail
		} else {
			fail = r.classify(ctx, "", context.DeadlineExceeded)
		}
		if fail == nil {
			r.remember(j.key, img)
		}
		for _, i := range j.idx {
			if fail != nil {
				e := *fail
				e.Ref = reqs[i].Ref
				out[i] = Result{Err: &e}
			} else {
				out[i] = Result{Image: withRef(img, reqs[i].Ref)}
			}
		}
	}
	return out
}

// stragglerWait bounds how long Resolve waits, after cancelling them, for
// jobs that have not returned by the deadline. Every lookup runs under the
// cancelled context: network I/O ends at once, and a credential helper is
// killed and waited for at most its WaitDelay (one second). Only a job stuck
// where neither reaches can outlive Resolve, and only after this wait.
const stragglerWait = 3 * time.Second

// waitAtMost waits for wg, or for d, whichever comes first.
func waitAtMost(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// parse parses a request's reference (plain HTTP allowed for loopback and
// insecure registries) and platform.
func (r *Resolver) parse(q Request) (name.Reference, v1.Platform, error) {
	ref, err := name.ParseReference(q.Ref)
	if err != nil {
		return nil, v1.Platform{}, &Error{Ref: q.Ref, Reason: ReasonBadReference, Detail: scrub(err.Error()), Err: err}
	}
	if PlainHTTPAllowed(ref.Context().RegistryStr(), r.opts.insecure) {
		if ref, err = name.ParseReference(q.Ref, name.Insecure); err != nil {
			return nil, v1.Platform{}, &Error{Ref: q.Ref, Reason: ReasonBadReference, Detail: scrub(err.Error()), Err: err}
		}
	}
	ps := q.Platform
	if ps == "" {
		ps = r.opts.platform
	}
	p, err := v1.ParsePlatform(ps)
	if err != nil || p.OS == "" || p.Architecture == "" {
		if err == nil {
			err = fmt.Errorf("platform %q is not os/arch[/variant]", ps)
		}
		return nil, v1.Platform{}, &Error{Ref: q.Ref, Reason: ReasonNoPlatform, Detail: scrub(fmt.Sprintf("invalid platform %q", ps)), Err: err}
	}
	return ref, *p, nil
}

// acquireHost waits for one of host's lookup slots (concurrency per
// registry host, shared by every Resolve call) and returns its release, or
// fails when ctx ends first.
func (r *Resolver) acquireHost(ctx context.Context, host string) (func(), error) {
	r.mu.Lock()
	slots := r.hostSlots[host]
	if slots == nil {
		slots = make(chan struct{}, concurrency)
		r.hostSlots[host] = slots
	}
	r.mu.Unlock()
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		<-slots
		return nil, err
	}
	return func() { <-slots }, nil
}

// classify is classify with the credentials this Resolver knows redacted
// from the detail.
func (r *Resolver) classify(ctx context.Context, ref string, err error) *Error {
	return classify(ctx, r.opts.timeout, ref, err, &r.secrets)
}

func (r *Resolver) memoized(key string) *image.Image {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.memo[key]
}

func (r *Resolver) remember(key string, img *image.Image) {
	if img == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.memo[key] = img
}

// withRef returns a shallow copy of img with the request's reference.
func withRef(img *image.Image, ref string) *image.Image {
	c := *img
	c.Ref = ref
	return &c
}

// getPuller makes the run's one Puller: the guard transport under
// go-containerregistry's retries, short bounded backoff, no retry of 429
// (the guard honours Retry-After itself), credentials from the keychain.
func (r *Resolver) getPuller() (*remote.Puller, error) {
	r.pullerOnce.Do(func() {
		insecure := r.opts.insecure
		base := r.opts.transport
		if base == nil {
			base = defaultTransport()
		}
		g := &guard{
			base:         base,
			allowHTTP:    func(h string) bool { return PlainHTTPAllowed(h, insecure) },
			requests:     &r.requests,
			maxRateWaits: 2,
		}
		kc := r.opts.keychain
		if kc == nil {
			kc = quietKeychain{}
		}
		kc = recordingKeychain{inner: kc, secrets: &r.secrets}
		opts := []remote.Option{
			remote.WithTransport(g),
			remote.WithAuthFromKeychain(kc),
			remote.WithRetryBackoff(retryBackoff),
			remote.WithRetryStatusCodes(retryStatusCodes...),
			remote.WithRetryPredicate(retryable),
			remote.WithJobs(concurrency),
		}
		if r.opts.userAgent != "" {
			opts = append(opts, remote.WithUserAgent(r.opts.userAgent))
		}
		r.puller, r.pullerErr = remote.NewPuller(opts...)
	})
	return r.puller, r.pullerErr
}

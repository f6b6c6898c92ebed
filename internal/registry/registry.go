// Package registry resolves image references to their platform manifest and
// config (never layers) through go-containerregistry, for base images in
// `dockvet lint` and for `dockvet image`. One Resolver serves one run: it
// resolves every distinct reference once, concurrently, with one
// authenticated session per registry, under one deadline, and caches
// configs on disk by digest and tags for a TTL.
//
// Every failure is an *Error with a Reason; callers turn it into a DV001
// finding. Nothing here prints, and credentials never appear in an error.
package registry

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Defaults.
const (
	DefaultPlatform = "linux/amd64"
	DefaultTimeout  = 20 * time.Second
	DefaultTagTTL   = time.Hour
	// MaxConfigSize is the largest config blob we read; a registry that sends
	// more is refused before the body is read.
	MaxConfigSize = 8 << 20
	// MaxManifestSize bounds manifests and indexes the same way.
	MaxManifestSize = 4 << 20
)

// Request is one image to resolve.
type Request struct {
	Ref      string // as written after ARG expansion, e.g. "python:3.12-slim"
	Platform string // "os/arch[/variant]"; "" means the Resolver's default
}

// Reason says why an image could not be resolved.
type Reason string

// The reasons, worded to complete "base image X was not checked: ...".
const (
	ReasonOffline      Reason = "offline"       // --offline: nothing was fetched
	ReasonBadReference Reason = "bad reference" // not a valid image reference
	ReasonNotFound     Reason = "not found"     // 404, MANIFEST_UNKNOWN, NAME_UNKNOWN
	ReasonUnauthorized Reason = "unauthorized"  // 401: no or wrong credentials
	ReasonDenied       Reason = "access denied" // 403, DENIED
	ReasonRateLimited  Reason = "rate-limited"  // 429, TOOMANYREQUESTS
	ReasonTimeout      Reason = "timeout"       // the run's deadline passed
	ReasonNoPlatform   Reason = "no such platform"
	ReasonTooLarge     Reason = "too large"          // config or manifest over the limit
	ReasonInvalid      Reason = "invalid response"   // malformed manifest or config
	ReasonServer       Reason = "server error"       // 5xx after retries
	ReasonNetwork      Reason = "unreachable"        // DNS, refused, reset, TLS
	ReasonInsecure     Reason = "plain HTTP refused" // http:// registry not listed as insecure
	// A remote registry redirected to, or named as its token realm, a
	// loopback or link-local address.
	ReasonInternalTarget Reason = "internal address refused"
)

// Error is a failure to resolve one reference.
type Error struct {
	Ref    string
	Reason Reason
	// Detail is a short, credential-free explanation (status code, registry
	// error code and message).
	Detail string
	Err    error
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%s: %s", e.Ref, e.Reason)
	}
	return fmt.Sprintf("%s: %s (%s)", e.Ref, e.Reason, e.Detail)
}

func (e *Error) Unwrap() error { return e.Err }

// Option configures a Resolver.
type Option func(*options)

type options struct {
	platform  string
	timeout   time.Duration
	deadline  time.Time // zero: timeout from the first Resolve call
	cacheDir  string    // "" disables the disk cache
	tagTTL    time.Duration
	offline   bool
	insecure  []string
	keychain  authn.Keychain
	transport http.RoundTripper
	userAgent string
}

// WithPlatform sets the default platform for requests that name none.
func WithPlatform(p string) Option { return func(o *options) { o.platform = p } }

// WithTimeout sets the deadline of the run: it starts with the Resolver's
// first Resolve call and bounds every call (<= 0: the default).
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithDeadline sets the run's deadline itself, for a run with several
// Resolvers (one per registry setting) that must share one: it replaces
// the deadline WithTimeout would start (zero: WithTimeout's).
func WithDeadline(t time.Time) Option { return func(o *options) { o.deadline = t } }

// WithCacheDir enables the on-disk cache in dir ("" disables it).
func WithCacheDir(dir string) Option { return func(o *options) { o.cacheDir = dir } }

// WithTagTTL sets how long a tag→digest answer is trusted (0: never; a
// stale tag costs one HEAD request when its digest has not moved).
func WithTagTTL(d time.Duration) Option { return func(o *options) { o.tagTTL = d } }

// WithOffline forbids every network request: a reference is answered from
// the disk cache when it pins a cached digest or is a tag whose cache entry
// is within its TTL, and fails with ReasonOffline otherwise.
func WithOffline(offline bool) Option { return func(o *options) { o.offline = offline } }

// WithInsecureRegistries lists registries (host[:port]) that may be reached
// over plain HTTP. Loopback registries always may.
func WithInsecureRegistries(hosts []string) Option {
	return func(o *options) { o.insecure = append([]string(nil), hosts...) }
}

// WithKeychain sets where credentials come from (default: what
// authn.DefaultKeychain reads, ~/.docker/config.json, DOCKER_CONFIG and
// credential helpers, with helpers run quietly under the deadline).
func WithKeychain(k authn.Keychain) Option { return func(o *options) { o.keychain = k } }

// WithTransport replaces the HTTP transport (tests).
func WithTransport(t http.RoundTripper) Option { return func(o *options) { o.transport = t } }

// WithUserAgent sets the User-Agent sent to registries.
func WithUserAgent(ua string) Option { return func(o *options) { o.userAgent = ua } }

// DefaultCacheDir is $DOCKVET_CACHE_DIR, else dockvet/ under the user cache
// directory; "" when neither exists.
func DefaultCacheDir() string {
	if d := os.Getenv("DOCKVET_CACHE_DIR"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "dockvet")
}

package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// guard is the innermost transport under go-containerregistry's (retry,
// user agent, scheme, bearer/basic auth): every HTTP request the resolver
// makes passes through it. It enforces what go-containerregistry leaves to
// the caller:
//
//   - plain HTTP only to loopback hosts and listed insecure registries, also
//     after a redirect;
//   - no request to a loopback or link-local address (localhost, 127/8,
//     ::1, 169.254/16 as cloud metadata services use, fe80::/10, 0.0.0.0)
//     on behalf of a registry that is not itself loopback, other than to a
//     listed insecure registry's own host name (the list can come from a
//     repository's .dockvet.yaml, which is not trusted to open the CI
//     runner's metadata service): a remote registry's redirect or bearer-token realm must not
//     make dockvet send a request to the CI runner's own services. The
//     registry the reference named travels in the request context
//     (withOrigin), since a token request is not a redirect and has no
//     link back to the registry that asked for it;
//   - no credentials across a redirect to another host: an Authorization
//     header copied from the original request is dropped (defence in depth:
//     net/http copies it to the same hostname on another port or to a
//     subdomain, but snapshots the headers before go-containerregistry's
//     transport adds the token, so as of v0.22.1 nothing is copied; see
//     TestGGCRRedirectKeepsToken);
//   - manifests and config blobs over the size limits are refused from the
//     Content-Length before the body is read, and bodies are capped (layer
//     blobs, fetched by Layer for image --deep, are not);
//   - at most maxRedirects redirects per request (a redirect loop must not
//     run until the deadline);
//   - a 429 is retried once its Retry-After has passed, but only if that
//     fits in the request's deadline; otherwise it fails at once.
type guard struct {
	base      http.RoundTripper
	allowHTTP func(hostport string) bool
	requests  *atomic.Int64
	// maxRateWaits bounds how many 429s one request waits out.
	maxRateWaits int
	// tlsFailed remembers hosts whose HTTPS certificate did not verify.
	// go-containerregistry falls back to plain HTTP for loopback and insecure
	// registries when HTTPS fails; for a host that does speak TLS that would
	// be a downgrade and end in a misleading "HTTP 400", so the fallback is
	// refused and the certificate error reported instead.
	tlsFailed sync.Map // host:port → error
}

// originKey marks a request context with the registry (host[:port]) whose
// reference the request serves.
type originKey struct{}

// withOrigin records that requests made with ctx serve a reference to the
// registry host (name.Registry.RegistryStr()).
func withOrigin(ctx context.Context, registry string) context.Context {
	return context.WithValue(ctx, originKey{}, registry)
}

func originOf(ctx context.Context) string {
	s, _ := ctx.Value(originKey{}).(string)
	return s
}

// internalAddress reports whether hostport names this machine or its
// link-local network by name or address literal: localhost (and
// *.localhost), loopback, link-local and unspecified addresses. A host name
// that merely resolves to one is not caught here.
func internalAddress(hostport string) bool {
	host, _ := splitHostPort(hostport)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		var ok bool
		if ip, ok = legacyIPv4(host); !ok {
			return false
		}
	}
	return internalIP(ip)
}

// internalIP reports whether ip is this machine, its link-local network, or
// a cloud metadata endpoint outside those ranges (AWS's IPv6 instance
// metadata and EKS Pod Identity in fd00:ec2::/64, Alibaba Cloud's
// 100.100.100.200), also as an IPv4-mapped or NAT64 (64:ff9b::/96) address.
func internalIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:16]))
	}
	if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range metadataPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

var (
	nat64            = netip.MustParsePrefix("64:ff9b::/96")
	metadataPrefixes = []netip.Prefix{netip.MustParsePrefix("fd00:ec2::/64"), netip.MustParsePrefix("100.100.100.200/32")}
)

// legacyIPv4 parses the inet_aton forms a dialer may accept for IPv4
// ("127.1", "0x7f.0.0.1", "2130706433"): one to four parts, decimal, hex
// (0x) or octal (leading 0), the last filling the remaining bytes.
func legacyIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		if p == "" || strings.ContainsAny(p, "_oObB") {
			return netip.Addr{}, false
		}
		n, err := strconv.ParseUint(p, 0, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if n > 0xff {
				return netip.Addr{}, false
			}
			v = v<<8 | n
			continue
		}
		rest := uint(8 * (4 - i))
		if rest < 32 && n >= 1<<rest {
			return netip.Addr{}, false
		}
		v = v<<rest | n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// sameHostPort compares a registry host[:port] with a URL's host and port
// (the registry's default port is the URL scheme's).
func sameHostPort(registry string, u *url.URL) bool {
	h, p := splitHostPort(registry)
	uh, _ := splitHostPort(u.Host)
	if p == "" {
		p = portOf(&url.URL{Scheme: u.Scheme})
	}
	return h == uh && p == portOf(u)
}

// maxRedirects bounds the redirects one request follows, as browsers and
// net/http's default client do.
const maxRedirects = 10

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	root, hops := rootRequest(req)
	if hops > maxRedirects {
		return nil, &redirectError{hops: hops}
	}
	origin := originOf(req.Context())
	if origin == "" {
		origin = root.URL.Host
	}
	// A listed insecure registry may be on an internal address itself
	// (same host name), a loopback one may send us anywhere on loopback.
	ownHost := g.allowHTTP(origin) && sameHostName(origin, req.URL.Host)
	// The dialer below checks the address DNS gives (rebindingGuard); it
	// learns from the request whether the origin may be internal.
	req = req.WithContext(withOwnHostAllowed(req.Context(), g.allowHTTP(origin)))
	if internalAddress(req.URL.Host) && !sameHostPort(origin, req.URL) && !internalAddress(origin) && !ownHost {
		return nil, &internalTargetError{host: req.URL.Host, origin: origin}
	}
	switch req.URL.Scheme {
	case "https":
	case "http":
		if !g.allowHTTP(req.URL.Host) {
			return nil, &insecureError{host: req.URL.Host}
		}
		if err, ok := g.tlsFailed.Load(req.URL.Host); ok {
			return nil, err.(*untrustedError)
		}
	default:
		return nil, fmt.Errorf("unsupported URL scheme %q", req.URL.Scheme)
	}
	if root != req && !sameHost(root.URL, req.URL) {
		// A redirect to another host: drop the credentials that net/http
		// copied from the original request. A header that differs was set
		// for this host (go-containerregistry's per-host anonymous token).
		if a := req.Header.Get("Authorization"); a != "" && a == root.Header.Get("Authorization") {
			req = req.Clone(req.Context())
			req.Header.Del("Authorization")
		}
	}

	limit, what := limitFor(root.URL.Path)
	if what == "config" && isLayerBlobRequest(req.Context()) {
		limit = 0 // a layer (image --deep): checked against the manifest by the reader
	}
	for waits := 0; ; waits++ {
		// Nothing is sent after the deadline or a cancellation, whatever
		// retry or redirect asks for it.
		if err := req.Context().Err(); err != nil {
			return nil, err
		}
		g.requests.Add(1)
		resp, err := g.base.RoundTrip(req)
		if err != nil {
			if req.URL.Scheme == "https" && isCertificateError(err) {
				g.tlsFailed.Store(req.URL.Host, &untrustedError{host: req.URL.Host, err: err})
			}
			return nil, err
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
			remaining := time.Duration(-1)
			if dl, has := req.Context().Deadline(); has {
				remaining = time.Until(dl)
			}
			fits := ok && (remaining < 0 && wait <= 10*time.Second || remaining >= 0 && wait < remaining)
			drain(resp.Body)
			if !fits || waits >= g.maxRateWaits || (req.Body != nil && req.GetBody == nil) {
				return nil, &rateLimitedError{retryAfter: wait, known: ok, remaining: remaining}
			}
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-req.Context().Done():
				t.Stop()
				return nil, req.Context().Err()
			}
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				req = req.Clone(req.Context())
				req.Body = body
			}
			continue
		}
		if limit > 0 && resp.StatusCode == http.StatusOK {
			if resp.ContentLength > limit {
				drainLimited(resp.Body)
				return nil, &tooLargeError{what: what, size: resp.ContentLength, limit: limit}
			}
			if req.Method != http.MethodHead {
				resp.Body = &cappedBody{rc: resp.Body, left: limit, what: what, limit: limit}
			}
		}
		return resp, nil
	}
}

// untrustedError: the registry speaks TLS with a certificate we do not trust.
type untrustedError struct {
	host string
	err  error
}

func (e *untrustedError) Error() string {
	return fmt.Sprintf("TLS certificate of %s is not trusted (%v); add its CA to the system roots or SSL_CERT_FILE", e.host, innermost(e.err))
}

func (e *untrustedError) Unwrap() error { return e.err }

// isCertificateError reports whether err is a failed certificate check.
func isCertificateError(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}

// rootRequest follows a redirected request back to the one the client
// sent, and counts the redirects in between (at most maxRedirects+1).
func rootRequest(req *http.Request) (*http.Request, int) {
	r, hops := req, 0
	for hops <= maxRedirects && r.Response != nil && r.Response.Request != nil {
		r = r.Response.Request
		hops++
	}
	return r, hops
}

// sameHost compares two URLs' host:port, with the scheme's default port.
// sameHostName compares the host names of two host[:port] strings.
func sameHostName(a, b string) bool {
	ah, _ := splitHostPort(a)
	bh, _ := splitHostPort(b)
	return strings.EqualFold(ah, bh)
}

func sameHost(a, b *url.URL) bool {
	return strings.EqualFold(a.Hostname(), b.Hostname()) && portOf(a) == portOf(b)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// limitFor says how much of a response to path the resolver may read:
// manifests and blobs (the resolver fetches only configs) are capped. The
// kind is the second-to-last segment of /v2/<name>/(manifests|blobs)/<ref>:
// a repository may itself be named .../manifests or .../blobs.
func limitFor(path string) (int64, string) {
	segs := strings.Split(strings.TrimSuffix(path, "/"), "/")
	if len(segs) < 4 || segs[1] != "v2" {
		return 0, ""
	}
	switch segs[len(segs)-2] {
	case "manifests":
		return MaxManifestSize, "manifest"
	case "blobs":
		return MaxConfigSize, "config"
	}
	return 0, ""
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// drain reads a little of an unwanted body so the connection can be
// reused, and closes it.
func drain(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 64<<10))
	_ = rc.Close()
}

// drainLimited closes a body that must not be read.
func drainLimited(rc io.ReadCloser) { _ = rc.Close() }

// cappedBody fails a read that goes past limit bytes.
type cappedBody struct {
	rc    io.ReadCloser
	left  int64
	what  string
	limit int64
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n - 1, &tooLargeError{what: c.what, size: -1, limit: c.limit}
	}
	return n, err
}

func (c *cappedBody) Close() error { return c.rc.Close() }

// PlainHTTPAllowed reports whether the registry host (host or host:port)
// may be reached over plain HTTP: loopback hosts (localhost, 127.0.0.0/8,
// ::1) always may; any other only when insecure lists it as "host:port",
// as a bare "host" (any port) or inside a CIDR range ("10.0.0.0/8").
func PlainHTTPAllowed(hostport string, insecure []string) bool {
	host, port := splitHostPort(hostport)
	if host == "localhost" {
		return true
	}
	ip, ipErr := netip.ParseAddr(host)
	if ipErr == nil {
		ip = ip.Unmap()
		if ip.IsLoopback() {
			return true
		}
	}
	for _, e := range insecure {
		e = strings.ToLower(strings.TrimSpace(e))
		e = strings.TrimPrefix(strings.TrimPrefix(e, "http://"), "https://")
		e = strings.TrimSuffix(e, "/")
		if e == "" {
			continue
		}
		if pfx, err := netip.ParsePrefix(e); err == nil {
			if ipErr == nil && pfx.Contains(ip) {
				return true
			}
			continue
		}
		eh, ep := splitHostPort(e)
		if eh == host && (ep == "" || ep == port) {
			return true
		}
	}
	return false
}

// splitHostPort splits host[:port] (IPv6 in brackets, or bare), lower-cased
// and without a trailing dot.
func splitHostPort(hp string) (host, port string) {
	if h, p, err := net.SplitHostPort(hp); err == nil {
		host, port = h, p
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(hp, "["), "]")
	}
	return strings.TrimSuffix(strings.ToLower(host), "."), port
}

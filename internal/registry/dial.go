package registry

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// The guard transport refuses requests to loopback and link-local hosts
// named as such (localhost, 127.0.0.1, 169.254.169.254) on behalf of a
// remote registry. A host name whose DNS answer is such an address (DNS
// rebinding: evil.example resolving to 169.254.169.254, the cloud metadata
// service) passes that check, so the address is checked again where it is
// known: when the connection is made.

// defaultTransport is go-containerregistry's default transport with a
// dialer that checks the address each connection goes to (rebindingGuard).
// One for the process, as remote.DefaultTransport is: its connections are
// shared by every resolver, and CloseIdleConnections reaches them all. Which
// registries may live on internal addresses travels with each request
// (withOwnHostAllowed), set by the guard transport above it.
var defaultTransport = sync.OnceValue(func() http.RoundTripper {
	t, ok := remote.DefaultTransport.(*http.Transport)
	if !ok {
		return remote.DefaultTransport
	}
	t = t.Clone()
	t.DialContext = rebindingGuard(&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}, ownHostAllowed, proxyAddresses(os.Getenv))
	return t
})

// CloseIdleConnections closes the idle connections of the transport that
// resolvers use by default (a test that counts goroutines needs it).
func CloseIdleConnections() {
	if c, ok := defaultTransport().(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// ownHostKey marks a request context whose origin registry may be reached
// on an internal address (listed insecure).
type ownHostKey struct{}

// withOwnHostAllowed records whether the request's origin registry may live
// on an internal address.
func withOwnHostAllowed(ctx context.Context, allowed bool) context.Context {
	return context.WithValue(ctx, ownHostKey{}, allowed)
}

// ownHostAllowed is what withOwnHostAllowed recorded for ctx (false when
// nothing was: a request the guard did not see).
func ownHostAllowed(ctx context.Context) bool {
	b, _ := ctx.Value(ownHostKey{}).(bool)
	return b
}

// rebindingGuard dials with d, refusing a connection to a loopback,
// link-local or unspecified address that DNS gave for a host name, unless
// the request is for the registry the reference names (its origin, see
// withOrigin) and that registry may live on an internal address
// (allowInternal: listed in insecure-registries), or the origin is itself
// loopback by name. Names and literals that are internal by themselves
// were judged by the guard transport already, and a configured proxy is
// dialled as it is (the proxy resolves the registry's name, not dockvet).
func rebindingGuard(d *net.Dialer, allowInternal func(ctx context.Context) bool, proxies map[string]bool) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		origin := originOf(ctx)
		if origin == "" {
			origin = addr
		}
		if internalAddress(addr) || proxies[strings.ToLower(addr)] || internalAddress(origin) || allowInternal(ctx) && sameHostName(origin, addr) {
			return d.DialContext(ctx, network, addr)
		}
		guarded := *d
		guarded.ControlContext = func(_ context.Context, _, address string, _ syscall.RawConn) error {
			if internalAddress(address) { // an ip:port: only its address decides
				return &internalTargetError{host: addr, origin: origin, resolved: address}
			}
			return nil
		}
		return guarded.DialContext(ctx, network, addr)
	}
}

// proxyAddresses are the host:port of the proxies the environment
// configures (HTTPS_PROXY, HTTP_PROXY, either case; net/http ignores
// ALL_PROXY), which http.ProxyFromEnvironment dials instead of the registry: a proxy on this
// machine is the user's choice, not a registry's.
func proxyAddresses(getenv func(string) string) map[string]bool {
	out := map[string]bool{}
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		v := strings.TrimSpace(getenv(k))
		if v == "" {
			continue
		}
		if !strings.Contains(v, "://") {
			v = "http://" + v // net/http's reading of a bare host:port
		}
		u, err := url.Parse(v)
		if err != nil || u.Hostname() == "" {
			continue
		}
		port := u.Port()
		if port == "" {
			switch u.Scheme {
			case "https":
				port = "443"
			case "socks5", "socks5h":
				port = "1080" // the default net/http gives a socks5 proxy URL
			default:
				port = "80"
			}
		}
		out[strings.ToLower(net.JoinHostPort(u.Hostname(), port))] = true
	}
	return out
}

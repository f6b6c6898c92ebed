package registry

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

// remoteRegistryTransport lets a test pose as a remote HTTPS registry:
// requests to registry.test (any scheme and port) reach the test registry
// at regAddr over plain HTTP, and requests to any other host reach the
// redirect target at targetAddr, which counts them. The guard above it sees
// the URLs the client asked for.
type remoteRegistryTransport struct {
	regAddr, targetAddr string
}

func (rt remoteRegistryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.URL.Scheme = "http"
	if req.URL.Hostname() == "registry.test" {
		out.URL.Host = rt.regAddr
	} else {
		out.URL.Host = rt.targetAddr
	}
	resp, err := http.DefaultTransport.RoundTrip(out)
	if resp != nil {
		resp.Request = req // the client must see the URL it asked for (go-containerregistry reads the scheme)
	}
	return resp, err
}

// TestRemoteRegistryCannotReachInternalAddresses: a registry that is not
// itself loopback (or listed insecure) may not make dockvet send a request
// to a loopback or link-local address, by a redirect or by naming one as
// its bearer-token realm; such a base image is unresolved (DV001) with
// ReasonInternalTarget. A loopback registry, or one listed insecure, may.
func TestRemoteRegistryCannotReachInternalAddresses(t *testing.T) {
	redirectBlob := func(to string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, to+r.URL.Path, http.StatusTemporaryRedirect)
		}
	}
	realm := func(to string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q,service="x"`, to))
			w.WriteHeader(http.StatusUnauthorized)
		}
	}
	tests := []struct {
		name     string
		kind     string // the request kind the registry answers with handler
		handler  func(target string) http.HandlerFunc
		target   string // URL prefix the registry sends the client to; PORT is the target's port
		insecure []string
		wantHits int // requests the internal target received
		// wantReason is the failure when wantHits is 0. go-containerregistry
		// v0.22.1 itself refuses redirects and realms to private, loopback
		// and link-local IP literals; the guard adds host names (localhost)
		// and refuses them all with the same reason.
		wantReason Reason
	}{
		{"redirect to loopback over HTTP", "blob", redirectBlob, "http://127.0.0.1:PORT/cdn", nil, 0, ReasonInternalTarget},
		{"redirect to loopback over HTTPS", "blob", redirectBlob, "https://127.0.0.1:PORT/cdn", nil, 0, ReasonInternalTarget},
		{"redirect to loopback in short form", "blob", redirectBlob, "https://127.1:PORT/cdn", nil, 0, ReasonInternalTarget},
		{"redirect to localhost", "blob", redirectBlob, "http://localhost:PORT/cdn", nil, 0, ReasonInternalTarget},
		{"redirect to cloud metadata", "blob", redirectBlob, "http://169.254.169.254/latest/meta-data", nil, 0, ReasonInternalTarget},
		{"redirect to IPv6 link-local", "blob", redirectBlob, "https://[fe80::1]:PORT/cdn", nil, 0, ReasonInternalTarget},
		{"redirect to the unspecified address", "blob", redirectBlob, "http://0.0.0.0:PORT/cdn", nil, 0, ReasonInternalTarget},
		{"token realm on localhost", "ping", realm, "https://localhost:PORT/token", nil, 0, ReasonInternalTarget},
		{"token realm on cloud metadata", "ping", realm, "https://169.254.169.254/token", nil, 0, ReasonInternalTarget},
		{"redirect to a subdomain of localhost", "blob", redirectBlob, "https://cdn.localhost:PORT/cdn", nil, 0, ReasonInternalTarget},
		// The insecure list can come from the repository's own
		// .dockvet.yaml: it lets dockvet reach that registry's own host
		// over plain HTTP, never another host on this machine.
		{"registry listed insecure still may not redirect to localhost", "blob", redirectBlob, "http://localhost:PORT/cdn", []string{"registry.test"}, 0, ReasonInternalTarget},
		{"registry listed insecure still may not put its token realm on cloud metadata", "ping", realm, "https://169.254.169.254/token", []string{"registry.test"}, 0, ReasonInternalTarget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// No auth: go-containerregistry refuses the test registry's
			// http:// realm for a registry reached over HTTPS.
			srv := registrytest.New(t)
			img := registrytest.Image(t, registrytest.Spec{User: "redirected"})
			srv.Push(t, "team/app:1", img)
			raw, err := img.RawConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			target := newRedirectTarget(t, raw)
			to := strings.ReplaceAll(tt.target, "PORT", portOfHost(strings.TrimPrefix(target.URL, "http://")))
			srv.SetFault(onKind(tt.kind, tt.handler(to)))
			r := New(WithTransport(remoteRegistryTransport{regAddr: srv.Host(), targetAddr: strings.TrimPrefix(target.URL, "http://")}),
				WithInsecureRegistries(tt.insecure), WithTimeout(faultTimeout))
			got, err := resolveOne(t, r, "registry.test/team/app:1", "")
			if tt.wantHits == 0 {
				e := assertReason(t, err, tt.wantReason)
				u, _ := url.Parse(to)
				if e != nil && !strings.Contains(e.Detail, u.Hostname()) {
					t.Errorf("detail %q does not name the refused host %s", e.Detail, u.Hostname())
				}
			} else if err != nil || got.User != "redirected" {
				t.Errorf("resolve = %+v, %v; want the redirected config", got, err)
			}
			target.mu.Lock()
			defer target.mu.Unlock()
			if target.hits != tt.wantHits {
				t.Errorf("internal target hits = %d, want %d", target.hits, tt.wantHits)
			}
		})
	}
}

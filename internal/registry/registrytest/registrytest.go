// Package registrytest serves an in-memory OCI registry on 127.0.0.1 for
// tests and benchmarks, optionally behind Docker-style token auth, and
// counts the requests it gets.
//
// A typical test:
//
//	srv := registrytest.New(t, registrytest.WithAuth("user", "pass"))
//	srv.Push(t, "team/base:1", registrytest.Image(t, registrytest.Spec{User: "app"}))
//	r := registry.New(registry.WithKeychain(srv.Keychain()))
//	res := r.Resolve(ctx, []registry.Request{{Ref: srv.Ref("team/base:1")}})
//	if got := srv.Requests(); got.Manifest != 1 { ... }
//
// The registry is go-containerregistry's pkg/registry. With WithAuth, GET
// /v2/ answers 401 with `WWW-Authenticate: Bearer realm="http://<host>/token"`;
// /token checks HTTP basic credentials and returns a bearer token; every
// other request needs `Authorization: Bearer <token>`. A reference to
// srv.Host() is plain HTTP on loopback, which the resolver allows.
//
// Push, PushIndex and the other setup helpers bypass counting, latency and
// faults: Requests reports only what the code under test did.
package registrytest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// setupHeader marks the helpers' own requests, which are not counted.
const setupHeader = "X-Registrytest-Setup"

// Fault intercepts requests before the registry sees them (after counting
// and latency). It returns true when it has written the response itself.
// It runs on the server's goroutines: guard shared state.
type Fault func(w http.ResponseWriter, r *http.Request) bool

// Counts are requests by kind.
type Counts struct {
	Ping     int // GET /v2/
	Token    int // GET /token
	Manifest int // .../manifests/<ref>, GET and HEAD
	Blob     int // .../blobs/<digest>
	Other    int
}

// Total is the number of requests of every kind.
func (c Counts) Total() int { return c.Ping + c.Token + c.Manifest + c.Blob + c.Other }

// Server is a running test registry. Its methods are safe for concurrent use.
type Server struct {
	srv        *httptest.Server
	reg        http.Handler
	user, pass string
	token      string
	latency    time.Duration

	mu     sync.Mutex
	counts Counts
	log    []string
	fault  Fault

	bytesOut atomic.Int64
}

// Option configures a Server.
type Option func(*Server)

// WithAuth puts the registry behind bearer-token auth that accepts only
// user and pass (see the package comment). Without it, anyone may pull.
func WithAuth(user, pass string) Option {
	return func(s *Server) { s.user, s.pass = user, pass }
}

// WithLatency delays every counted request by d before it is answered.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// WithFault installs f; see Fault and SetFault.
func WithFault(f Fault) Option { return func(s *Server) { s.fault = f } }

// New starts a registry on 127.0.0.1, closed when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		reg:   ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))),
		token: randomHex(16),
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// Host is the registry's host:port, e.g. "127.0.0.1:40123".
func (s *Server) Host() string { return strings.TrimPrefix(s.srv.URL, "http://") }

// URL is the registry's base URL, e.g. "http://127.0.0.1:40123".
func (s *Server) URL() string { return s.srv.URL }

// Ref returns a reference to repo (with a tag or digest) on this registry:
// Ref("team/app:1") is "127.0.0.1:40123/team/app:1".
func (s *Server) Ref(repo string) string { return s.Host() + "/" + repo }

// Token is the bearer token the registry hands out (for leak tests).
func (s *Server) Token() string { return s.token }

// Keychain returns the credentials given to WithAuth for this registry
// (anonymous for any other host).
func (s *Server) Keychain() authn.Keychain { return Keychain(s.Host(), s.user, s.pass) }

// Keychain returns a keychain with user and pass for host (host:port) and
// anonymous access elsewhere.
func Keychain(host, user, pass string) authn.Keychain { return keychain{host, user, pass} }

type keychain struct{ host, user, pass string }

func (k keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() != k.host || k.user == "" {
		return authn.Anonymous, nil
	}
	return authn.FromConfig(authn.AuthConfig{Username: k.user, Password: k.pass}), nil
}

// Requests returns the requests counted since the start or the last Reset.
func (s *Server) Requests() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts
}

// Log returns the counted requests as "METHOD /path", in arrival order.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// BytesServed is the number of response body bytes written to counted
// requests (written to the connection, not necessarily read by the client).
func (s *Server) BytesServed() int64 { return s.bytesOut.Load() }

// Reset zeroes the counters, the log and BytesServed.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts, s.log = Counts{}, nil
	s.bytesOut.Store(0)
}

// SetFault replaces the fault (nil removes it).
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// Push uploads img as ref ("repo:tag") and returns its manifest digest.
func (s *Server) Push(t testing.TB, ref string, img v1.Image) v1.Hash {
	t.Helper()
	r := s.parse(t, ref)
	if err := remote.Write(r, img, s.setupOptions()...); err != nil {
		t.Fatalf("registrytest: push %s: %v", ref, err)
	}
	h, err := img.Digest()
	if err != nil {
		t.Fatalf("registrytest: digest of %s: %v", ref, err)
	}
	return h
}

// PushIndex uploads idx and its images as ref and returns its digest.
func (s *Server) PushIndex(t testing.TB, ref string, idx v1.ImageIndex) v1.Hash {
	t.Helper()
	r := s.parse(t, ref)
	if err := remote.WriteIndex(r, idx, s.setupOptions()...); err != nil {
		t.Fatalf("registrytest: push index %s: %v", ref, err)
	}
	h, err := idx.Digest()
	if err != nil {
		t.Fatalf("registrytest: digest of %s: %v", ref, err)
	}
	return h
}

func (s *Server) parse(t testing.TB, ref string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s.Ref(ref), name.Insecure)
	if err != nil {
		t.Fatalf("registrytest: %v", err)
	}
	return r
}

func (s *Server) setupOptions() []remote.Option {
	return []remote.Option{
		remote.WithAuthFromKeychain(s.Keychain()),
		remote.WithTransport(setupTransport{http.DefaultTransport}),
		remote.WithContext(context.Background()),
	}
}

type setupTransport struct{ inner http.RoundTripper }

func (t setupTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(setupHeader, "1")
	return t.inner.RoundTrip(r)
}

// Kind classifies a request path as Counts does: "ping", "token",
// "manifest", "blob" or "other".
func Kind(path string) string {
	switch {
	case path == "/v2/" || path == "/v2":
		return "ping"
	case path == "/token":
		return "token"
	case strings.Contains(path, "/manifests/"):
		return "manifest"
	case strings.Contains(path, "/blobs/"):
		return "blob"
	}
	return "other"
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(setupHeader) != "" {
		s.serveAuth(w, r)
		return
	}
	s.mu.Lock()
	switch Kind(r.URL.Path) {
	case "ping":
		s.counts.Ping++
	case "token":
		s.counts.Token++
	case "manifest":
		s.counts.Manifest++
	case "blob":
		s.counts.Blob++
	default:
		s.counts.Other++
	}
	s.log = append(s.log, r.Method+" "+r.URL.Path)
	fault := s.fault
	s.mu.Unlock()

	if s.latency > 0 {
		t := time.NewTimer(s.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	cw := &countingWriter{ResponseWriter: w, n: &s.bytesOut}
	if fault != nil && fault(cw, r) {
		return
	}
	s.serveAuth(cw, r)
}

// serveAuth is the token-auth wrapper around the registry.
func (s *Server) serveAuth(w http.ResponseWriter, r *http.Request) {
	if s.user == "" {
		s.reg.ServeHTTP(w, r)
		return
	}
	if r.URL.Path == "/token" {
		u, p, ok := r.BasicAuth()
		if !ok || u != s.user || p != s.pass {
			WriteError(w, http.StatusUnauthorized, "UNAUTHORIZED", "invalid username or password")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"token": s.token, "expires_in": 300})
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s/token",service="registrytest"`, r.Host))
		WriteError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	}
	s.reg.ServeHTTP(w, r)
}

// WriteError writes a registry error response: status and a JSON body
// {"errors":[{"code":code,"message":message}]}.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]string{{"code": code, "message": message}},
	})
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// Flush sends buffered data to the client (for trickling faults).
func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

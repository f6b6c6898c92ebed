package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

// Bounds on wall-clock time must hold on a loaded 2-core CI machine, so each
// is far from both what a correct resolver takes and what a broken one would:
//   - faultTimeout is the deadline of faults that wait for it (a server that
//     never answers or trickles, a body too slow); they must end within
//     faultBound, well before the 10 s and longer stalls of the fake servers;
//   - failures that must not wait (401, 404, 429 with a 30 s Retry-After,
//     bad references...) run with fastTimeout and must end within fastBound:
//     a resolver that waited for the Retry-After or the deadline would take
//     30 s or more.
const (
	faultTimeout = 2 * time.Second
	faultBound   = 8 * time.Second
	fastTimeout  = time.Minute
	fastBound    = 15 * time.Second
)

// onKind answers requests of one kind ("manifest", "blob", ...) with h.
func onKind(kind string, h http.HandlerFunc) registrytest.Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if registrytest.Kind(r.URL.Path) != kind {
			return false
		}
		h(w, r)
		return true
	}
}

func registryError(status int, code, msg string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { registrytest.WriteError(w, status, code, msg) }
}

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// allErrors collects every error the fault tests produce, to check that
// no credential appears in any of them.
var allErrors struct {
	sync.Mutex
	errs []*Error
}

func TestFaults(t *testing.T) {
	type env struct {
		srv *registrytest.Server
		ref string // the image to resolve (pushed as "team/app:1")
	}
	bigLie := bytes.Repeat([]byte("x"), 9<<20)
	tests := []struct {
		name     string
		setup    func(t *testing.T) (env, []Option)
		platform string
		want     Reason
		bound    time.Duration
		check    func(t *testing.T, e env, re *Error)
	}{
		{
			name: "401 wrong password",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t)
				srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{}))
				return env{srv, srv.Ref("team/app:1")}, []Option{WithKeychain(registrytest.Keychain(srv.Host(), testUser, "wrong-"+testPass))}
			},
			want: ReasonUnauthorized, bound: fastBound,
			check: func(t *testing.T, e env, re *Error) {
				if got := e.srv.Requests(); got.Manifest != 0 || got.Token != 1 {
					t.Errorf("requests = %+v, want one token attempt and no manifest", got)
				}
			},
		},
		{
			name: "401 no credentials",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t)
				srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{}))
				return env{srv, srv.Ref("team/app:1")}, []Option{WithKeychain(authn.NewMultiKeychain())}
			},
			want: ReasonUnauthorized, bound: fastBound,
		},
		{
			name: "403 denied",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithFault(onKind("manifest", registryError(403, "DENIED", "requested access to the resource is denied"))))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonDenied, bound: fastBound,
			check: func(t *testing.T, e env, re *Error) {
				if !strings.Contains(re.Detail, "403") || !strings.Contains(re.Detail, "DENIED") {
					t.Errorf("detail %q lacks status and code", re.Detail)
				}
			},
		},
		{
			name: "403 without body",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithFault(onKind("manifest", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(403) })))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonDenied, bound: fastBound,
		},
		{
			name: "404 missing tag",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t)
				srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{}))
				return env{srv, srv.Ref("team/app:2")}, nil
			},
			want: ReasonNotFound, bound: fastBound,
			check: func(t *testing.T, e env, re *Error) {
				if got := e.srv.Requests().Manifest; got != 1 {
					t.Errorf("manifest requests = %d, want 1 (no retry)", got)
				}
			},
		},
		{
			name: "404 missing repository",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t)
				return env{srv, srv.Ref("nobody/here:1")}, nil
			},
			want: ReasonNotFound, bound: fastBound,
		},
		{
			name: "429 Retry-After past the deadline fails fast",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithFault(onKind("manifest", func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", "30")
					registrytest.WriteError(w, 429, "TOOMANYREQUESTS", "slow down")
				})))
				// Past the deadline: a resolver that waited would end in a
				// timeout, not rate-limited.
				return env{srv, srv.Ref("team/app:1")}, []Option{WithTimeout(faultTimeout)}
			},
			want: ReasonRateLimited, bound: fastBound,
			check: func(t *testing.T, e env, re *Error) {
				if got := e.srv.Requests().Manifest; got != 1 {
					t.Errorf("manifest requests = %d, want 1", got)
				}
				if !strings.Contains(re.Detail, "30s") {
					t.Errorf("detail %q does not mention the Retry-After", re.Detail)
				}
			},
		},
		{
			name: "429 without Retry-After fails fast",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithFault(onKind("manifest", registryError(429, "TOOMANYREQUESTS", "slow down"))))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonRateLimited, bound: fastBound,
		},
		{
			name: "500 retried, bounded",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithFault(onKind("manifest", registryError(500, "UNKNOWN", "boom"))))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonServer, bound: fastBound,
			check: func(t *testing.T, e env, re *Error) {
				if got := e.srv.Requests().Manifest; got != 3 {
					t.Errorf("manifest requests = %d, want 3 (two retries)", got)
				}
			},
		},
		{
			name: "503 on ping",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithFault(onKind("ping", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) })))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonServer, bound: fastBound,
		},
		{
			name: "server never answers",
			setup: func(t *testing.T) (env, []Option) {
				return env{ref: silentServer(t) + "/team/app:1"}, nil
			},
			want: ReasonTimeout, bound: faultBound,
		},
		{
			name: "latency past the deadline",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithLatency(10*time.Second))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonTimeout, bound: faultBound,
		},
		{
			name: "manifest trickles",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithFault(onKind("manifest", func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", string(types.OCIManifestSchema1))
					w.Header().Set("Content-Length", "1000")
					w.WriteHeader(200)
					rc := http.NewResponseController(w)
					for range 1000 {
						if _, err := w.Write([]byte(" ")); err != nil {
							return
						}
						_ = rc.Flush()
						select {
						case <-time.After(200 * time.Millisecond):
						case <-r.Context().Done():
							return
						}
					}
				})))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonTimeout, bound: faultBound,
		},
		{
			name: "malformed manifest JSON",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithFault(onKind("manifest", func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", string(types.OCIManifestSchema1))
					_, _ = io.WriteString(w, `{"schemaVersion": 2, "config": {`)
				})))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonInvalid, bound: fastBound,
		},
		{
			name: "manifest that is not an image",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithFault(onKind("manifest", func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", string(types.OCIManifestSchema1))
					_, _ = io.WriteString(w, `{"schemaVersion": 2, "layers": []}`)
				})))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonInvalid, bound: fastBound,
		},
		{
			name: "config does not match its digest",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t)
				img := registrytest.Image(t, registrytest.Spec{})
				srv.Push(t, "team/app:1", img)
				m, _ := img.Manifest()
				srv.SetFault(onKind("blob", func(w http.ResponseWriter, _ *http.Request) {
					_, _ = w.Write(bytes.Repeat([]byte("{"), int(m.Config.Size)))
				}))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonInvalid, bound: fastBound,
		},
		{
			name: "config over 8 MiB declared: not requested",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t)
				srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{
					Labels: map[string]string{"big": strings.Repeat("x", 9<<20)},
				}))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonTooLarge, bound: faultBound,
			check: func(t *testing.T, e env, re *Error) {
				if got := e.srv.Requests().Blob; got != 0 {
					t.Errorf("blob requests = %d, want 0", got)
				}
				if got := e.srv.BytesServed(); got > 64<<10 {
					t.Errorf("server sent %d bytes, want far below 8 MiB", got)
				}
			},
		},
		{
			name: "config over 8 MiB by Content-Length: refused unread",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t)
				srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{}))
				srv.SetFault(onKind("blob", func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Length", fmt.Sprint(len(bigLie)))
					for off := 0; off < len(bigLie); off += 32 << 10 {
						if _, err := w.Write(bigLie[off : off+32<<10]); err != nil {
							return
						}
					}
				}))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonTooLarge, bound: faultBound,
			check: func(t *testing.T, e env, re *Error) {
				time.Sleep(100 * time.Millisecond) // let the handler notice the closed connection
				if got := e.srv.BytesServed(); got > 4<<20 {
					t.Errorf("server sent %d bytes, want far below 8 MiB", got)
				}
			},
		},
		{
			name: "config longer than declared, chunked: cut at the declared size",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t)
				srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{}))
				srv.SetFault(onKind("blob", func(w http.ResponseWriter, _ *http.Request) {
					rc := http.NewResponseController(w)
					for off := 0; off < len(bigLie); off += 32 << 10 {
						if _, err := w.Write(bigLie[off : off+32<<10]); err != nil {
							return
						}
						_ = rc.Flush()
					}
				}))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonInvalid, bound: faultBound,
			check: func(t *testing.T, e env, re *Error) {
				time.Sleep(100 * time.Millisecond)
				if got := e.srv.BytesServed(); got > 4<<20 {
					t.Errorf("server sent %d bytes, want far below 8 MiB", got)
				}
			},
		},
		{
			name: "manifest over 4 MiB",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithFault(onKind("manifest", func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", string(types.OCIManifestSchema1))
					w.Header().Set("Content-Length", fmt.Sprint(5<<20))
					_, _ = w.Write(bytes.Repeat([]byte(" "), 5<<20))
				})))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonTooLarge, bound: faultBound,
		},
		{
			name: "index without the platform",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t)
				srv.PushIndex(t, "team/app:1", registrytest.AttestedIndex(t,
					registrytest.Image(t, registrytest.Spec{Platform: "linux/amd64"}),
					registrytest.Image(t, registrytest.Spec{Platform: "linux/arm64/v8"})))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			platform: "linux/s390x",
			want:     ReasonNoPlatform, bound: fastBound,
			check: func(t *testing.T, e env, re *Error) {
				if want := "linux/s390x not in the index, which has linux/amd64, linux/arm64/v8"; re.Detail != want {
					t.Errorf("detail = %q, want %q", re.Detail, want)
				}
				if got := e.srv.Requests(); got.Manifest != 1 || got.Blob != 0 {
					t.Errorf("requests = %+v, want only the index", got)
				}
			},
		},
		{
			name: "redirect loop: at most 10 redirects",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t, registrytest.WithFault(onKind("manifest", func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, r.URL.Path, http.StatusTemporaryRedirect)
				})))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonServer, bound: fastBound,
			check: func(t *testing.T, e env, re *Error) {
				if got := e.srv.Requests(); got.Manifest != 1+maxRedirects {
					t.Errorf("requests = %+v, want the manifest and %d redirects", got, maxRedirects)
				}
				if !strings.Contains(re.Detail, "more than 10 redirects") {
					t.Errorf("detail = %q", re.Detail)
				}
			},
		},
		{
			name: "malformed config",
			setup: func(t *testing.T) (env, []Option) {
				config := []byte(`{"architecture": "amd64", "config": {`)
				m := rawManifest(types.OCIManifestSchema1, map[string]any{
					"config": descriptor(types.OCIConfigJSON, config), "layers": []any{}})
				srv := newServer(t, registrytest.WithFault(rawDocuments(map[string]rawDoc{"1": m}, config)))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonInvalid, bound: fastBound,
			check: func(t *testing.T, e env, re *Error) {
				if !strings.HasPrefix(re.Detail, "malformed config") {
					t.Errorf("detail = %q", re.Detail)
				}
			},
		},
		{
			name: "nested index declared as an image",
			setup: func(t *testing.T) (env, []Option) {
				inner := rawManifest(types.OCIImageIndex, map[string]any{"manifests": []any{}})
				child := descriptor(types.OCIManifestSchema1, inner.body)
				child["platform"] = map[string]string{"os": "linux", "architecture": "amd64"}
				top := rawManifest(types.OCIImageIndex, map[string]any{"manifests": []any{child}})
				srv := newServer(t, registrytest.WithFault(rawDocuments(map[string]rawDoc{"1": top, inner.digest: inner})))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonInvalid, bound: fastBound,
			check: func(t *testing.T, e env, re *Error) {
				if !strings.Contains(re.Detail, "points to another index") {
					t.Errorf("detail = %q", re.Detail)
				}
			},
		},
		{
			name: "index of an index only",
			setup: func(t *testing.T) (env, []Option) {
				inner := rawManifest(types.OCIImageIndex, map[string]any{"manifests": []any{}})
				child := descriptor(types.OCIImageIndex, inner.body)
				child["platform"] = map[string]string{"os": "linux", "architecture": "amd64"}
				top := rawManifest(types.OCIImageIndex, map[string]any{"manifests": []any{child}})
				srv := newServer(t, registrytest.WithFault(rawDocuments(map[string]rawDoc{"1": top, inner.digest: inner})))
				return env{srv, srv.Ref("team/app:1")}, nil
			},
			want: ReasonNoPlatform, bound: fastBound,
			check: func(t *testing.T, e env, re *Error) {
				if got := e.srv.Requests(); got.Manifest != 1 {
					t.Errorf("requests = %+v, want only the top index (nested indexes are not followed)", got)
				}
			},
		},
		{
			name: "bad reference",
			setup: func(t *testing.T) (env, []Option) {
				srv := newServer(t)
				return env{srv, srv.Host() + "/Team/App:1"}, nil
			},
			want: ReasonBadReference, bound: fastBound,
			check: func(t *testing.T, e env, re *Error) {
				if got := e.srv.Requests(); got.Total() != 0 {
					t.Errorf("requests = %+v, want none", got)
				}
			},
		},
		{
			name: "connection refused",
			setup: func(t *testing.T) (env, []Option) {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				addr := ln.Addr().String()
				ln.Close()
				return env{ref: addr + "/team/app:1"}, nil
			},
			want: ReasonNetwork, bound: fastBound,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, opts := tc.setup(t)
			if e.srv != nil {
				e.srv.Reset()
				opts = append([]Option{WithKeychain(e.srv.Keychain())}, opts...)
			}
			timeout := faultTimeout
			if tc.bound == fastBound {
				timeout = fastTimeout
			}
			r := New(append([]Option{WithTimeout(timeout)}, opts...)...)
			start := time.Now()
			img, err := resolveOne(t, r, e.ref, tc.platform)
			elapsed := time.Since(start)
			if img != nil {
				t.Fatalf("got an image, want %s", tc.want)
			}
			re := assertReason(t, err, tc.want)
			if elapsed > tc.bound {
				t.Errorf("took %s, want < %s", elapsed, tc.bound)
			}
			if re.Ref != e.ref {
				t.Errorf("Ref = %q, want %q", re.Ref, e.ref)
			}
			t.Logf("%s in %s", re, elapsed.Round(time.Millisecond))
			if e.srv != nil {
				for _, s := range []string{re.Error(), fmt.Sprint(re.Err)} {
					if strings.Contains(s, e.srv.Token()) || strings.Contains(s, testPass) {
						t.Errorf("error text %q contains a credential", s)
					}
				}
			}
			if tc.check != nil {
				tc.check(t, e, re)
			}
			allErrors.Lock()
			allErrors.errs = append(allErrors.errs, re)
			allErrors.Unlock()
		})
	}
	t.Cleanup(func() { checkNoCredentials(t) })
}

// checkNoCredentials: no error of TestFaults shows the password, the
// basic-auth header value or a bearer token.
func checkNoCredentials(t *testing.T) {
	allErrors.Lock()
	defer allErrors.Unlock()
	if len(allErrors.errs) == 0 {
		t.Fatal("no errors collected")
	}
	secrets := []string{
		testPass,
		base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPass)),
		base64.StdEncoding.EncodeToString([]byte(testUser + ":wrong-" + testPass)),
		"Bearer ",
	}
	for _, e := range allErrors.errs {
		for _, s := range []string{e.Error(), e.Detail, fmt.Sprintf("%+v", e)} {
			for _, secret := range secrets {
				if strings.Contains(s, secret) {
					t.Errorf("error %q contains a credential (%q)", s, secret)
				}
			}
		}
	}
}

func TestRateLimitRetryAfterWithinDeadline(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t)
	srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{User: "u"}))
	// First manifest request: 429, Retry-After 1s; then the real registry.
	srv.SetFault(onKind("manifest", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			registrytest.WriteError(w, 429, "TOOMANYREQUESTS", "slow down")
			return
		}
		proxyToRegistry(t, srv, w, r)
	}))
	srv.Reset()
	start := time.Now()
	img, err := resolveOne(t, New(WithKeychain(srv.Keychain()), WithTimeout(5*time.Second)), srv.Ref("team/app:1"), "")
	if err != nil {
		t.Fatal(err)
	}
	if img.User != "u" {
		t.Errorf("user = %q", img.User)
	}
	// No upper bound: the 5 s deadline above already fails a resolver that
	// waits too long.
	if el := time.Since(start); el < time.Second {
		t.Errorf("took %s, want at least 1s (Retry-After honoured)", el)
	}
	if got := srv.Requests().Manifest; got != 2 {
		t.Errorf("manifest requests = %d, want 2", got)
	}
}

// proxyToRegistry answers r from srv itself, as an uncounted setup request.
func proxyToRegistry(t *testing.T, srv *registrytest.Server, w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, srv.URL()+r.URL.Path, nil)
	req.Header = r.Header.Clone()
	req.Header.Set("X-Registrytest-Setup", "1")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Errorf("proxy: %v", err)
		w.WriteHeader(502)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// redirectTarget serves blobs for a redirect and records the Authorization
// headers it receives.
type redirectTarget struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
	hits  int
}

func newRedirectTarget(t *testing.T, blob []byte) *redirectTarget {
	rt := &redirectTarget{}
	rt.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt.mu.Lock()
		rt.hits++
		if a := r.Header.Get("Authorization"); a != "" {
			rt.auths = append(rt.auths, a)
		}
		rt.mu.Unlock()
		_, _ = w.Write(blob)
	}))
	t.Cleanup(rt.Close)
	return rt
}

// redirectingRegistry pushes an image and redirects its config blob to
// another host (another port of 127.0.0.1, which net/http treats as the
// same host when copying headers on a redirect).
func redirectingRegistry(t *testing.T) (*registrytest.Server, *redirectTarget, v1.Image) {
	srv := newServer(t)
	img := registrytest.Image(t, registrytest.Spec{User: "redirected"})
	srv.Push(t, "team/app:1", img)
	raw, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	target := newRedirectTarget(t, raw)
	srv.SetFault(onKind("blob", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/cdn"+r.URL.Path+"?sig=abc", http.StatusTemporaryRedirect)
	}))
	srv.Reset()
	return srv, target, img
}

func TestRedirectDropsCredentials(t *testing.T) {
	srv, target, _ := redirectingRegistry(t)
	img := mustResolve(t, newResolver(srv), srv.Ref("team/app:1"), "")
	if img.User != "redirected" {
		t.Errorf("user = %q", img.User)
	}
	target.mu.Lock()
	defer target.mu.Unlock()
	if target.hits != 1 {
		t.Errorf("redirect target hits = %d, want 1", target.hits)
	}
	if len(target.auths) != 0 {
		t.Errorf("redirect target received Authorization %q", target.auths)
	}
}

// TestGGCRRedirectKeepsToken verifies go-containerregistry's own behaviour
// (v0.22.1, Go 1.26) without the guard: the bearer token is not sent on a
// redirect to another port of the same host, although net/http copies
// Authorization to the same hostname. It is safe because net/http snapshots
// the request's headers before go-containerregistry's transport adds the
// token. The guard strips copied credentials anyway (TestGuardStrips...).
func TestGGCRRedirectKeepsToken(t *testing.T) {
	srv, target, img := redirectingRegistry(t)
	p, err := remote.NewPuller(remote.WithAuthFromKeychain(srv.Keychain()))
	if err != nil {
		t.Fatal(err)
	}
	ref, _, err := New().parse(Request{Ref: srv.Ref("team/app:1")})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigName()
	l, err := p.Layer(context.Background(), ref.Context().Digest(cfg.String()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, rc)
	rc.Close()
	target.mu.Lock()
	defer target.mu.Unlock()
	if target.hits != 1 {
		t.Fatalf("redirect target hits = %d, want 1", target.hits)
	}
	if len(target.auths) != 0 {
		t.Errorf("go-containerregistry sent Authorization %q across the redirect", target.auths)
	}
}

// recordingTransport records the Authorization header of each request.
type recordingTransport struct{ auths []string }

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.auths = append(rt.auths, r.Header.Get("Authorization"))
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
}

// TestGuardStripsCopiedCredentials: on a redirect to another host, the
// guard drops an Authorization header copied from the original request,
// and keeps one set for the new host.
func TestGuardStripsCopiedCredentials(t *testing.T) {
	orig := httptest.NewRequest(http.MethodGet, "https://registry.example.com/v2/x/blobs/sha256:00", nil)
	orig.Header.Set("Authorization", "Bearer registry-token")
	tests := []struct {
		name, url, auth, want string
	}{
		{"other host, copied", "https://cdn.registry.example.com/blob", "Bearer registry-token", ""},
		{"other port, copied", "https://registry.example.com:8443/blob", "Bearer registry-token", ""},
		{"other host, its own token", "https://cdn.registry.example.com/blob", "Bearer cdn-token", "Bearer cdn-token"},
		{"same host", "https://registry.example.com:443/v2/x/blobs/sha256:00", "Bearer registry-token", "Bearer registry-token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordingTransport{}
			g := &guard{base: rec, allowHTTP: func(string) bool { return false }, requests: new(atomic.Int64)}
			req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
			req.Header.Set("Authorization", tc.auth)
			req.Response = &http.Response{Request: orig}
			resp, err := g.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if rec.auths[0] != tc.want {
				t.Errorf("sent Authorization %q, want %q", rec.auths[0], tc.want)
			}
			if req.Header.Get("Authorization") != tc.auth {
				t.Error("the caller's request was modified")
			}
		})
	}
}

func TestPlainHTTPAllowed(t *testing.T) {
	insecure := []string{"registry.corp:5000", "mirror.corp", "10.1.0.0/16", "http://Legacy.Corp:8080/"}
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1:5000", true},
		{"127.3.4.5", true},
		{"localhost", true},
		{"localhost:5000", true},
		{"LOCALHOST:5000", true},
		{"[::1]:5000", true},
		{"::1", true},
		{"[::ffff:127.0.0.1]:80", true},
		{"registry.corp:5000", true},
		{"registry.corp:5001", false},
		{"registry.corp", false},
		{"mirror.corp", true},
		{"mirror.corp:443", true},
		{"10.1.2.3:5000", true},
		{"10.2.0.1:5000", false},
		{"192.168.1.10:5000", false},
		{"legacy.corp:8080", true},
		{"index.docker.io", false},
		{"ghcr.io", false},
		{"localhost.evil.com", false},
		{"127.0.0.1.nip.io", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := PlainHTTPAllowed(tc.host, insecure); got != tc.want {
			t.Errorf("PlainHTTPAllowed(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

// fakeTransport answers every HTTPS request the way a plain-HTTP server
// would, and records the requests that reach it.
type fakeTransport struct {
	mu   sync.Mutex
	seen []string
}

func (f *fakeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.seen = append(f.seen, r.URL.Scheme+"://"+r.URL.Host+r.URL.Path)
	f.mu.Unlock()
	return nil, errors.New("http: server gave HTTP response to HTTPS client")
}

// TestPlainHTTPRefused: a private-network registry (which
// go-containerregistry would fall back to plain HTTP for) gets no plain
// HTTP request unless listed as insecure.
func TestPlainHTTPRefused(t *testing.T) {
	tests := []struct {
		name     string
		insecure []string
		want     Reason
		wantHTTP bool
	}{
		{"not listed", nil, ReasonInsecure, false},
		{"listed", []string{"10.9.8.7:5000"}, ReasonNetwork, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ft := &fakeTransport{}
			r := New(WithTransport(ft), WithInsecureRegistries(tc.insecure), WithTimeout(faultTimeout), WithKeychain(authn.NewMultiKeychain()))
			_, err := resolveOne(t, r, "10.9.8.7:5000/team/app:1", "")
			assertReason(t, err, tc.want)
			ft.mu.Lock()
			defer ft.mu.Unlock()
			sawHTTP := false
			for _, s := range ft.seen {
				if strings.HasPrefix(s, "http://") {
					sawHTTP = true
				}
			}
			if sawHTTP != tc.wantHTTP {
				t.Errorf("plain HTTP requests sent = %v, want %v (%q)", sawHTTP, tc.wantHTTP, ft.seen)
			}
		})
	}
}

func TestGuardRefusesPlainHTTPRedirect(t *testing.T) {
	g := &guard{base: &fakeTransport{}, allowHTTP: func(h string) bool { return PlainHTTPAllowed(h, nil) }, requests: new(atomic.Int64)}
	req, _ := http.NewRequest(http.MethodGet, "http://cdn.example.com/blob", nil)
	req.Response = &http.Response{Request: httptest.NewRequest(http.MethodGet, "https://registry.example.com/v2/x/blobs/sha256:00", nil)}
	resp, err := g.RoundTrip(req)
	if resp != nil {
		resp.Body.Close()
	}
	var ie *insecureError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want insecureError", err)
	}
}

func TestScrub(t *testing.T) {
	tests := []struct{ in, want string }{
		{"GET https://user:pw@reg.example.com/v2/?token=abc 401", "GET https://reg.example.com/v2/ 401"},
		{"Authorization: Bearer eyJhbGciOi.x.y failed", "Authorization: Bearer [redacted] failed"},
		{"Basic ZG9ja3ZldDpzM2NyM3Q= rejected", "Basic [redacted] rejected"},
		{`{"token":"abc123","expires_in":300}`, `{"token":"[redacted]","expires_in":300}`},
		{"password=hunter2 wrong", "password=[redacted] wrong"},
		{"line1\nline2\ttab", "line1 line2 tab"},
		{strings.Repeat("é", 150), strings.Repeat("é", 100) + "…"},
	}
	for _, tc := range tests {
		if got := scrub(tc.in); got != tc.want {
			t.Errorf("scrub(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	}
	for _, tc := range tests {
		got, ok := retryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestInlineConfigAndJSONHelpers covers a manifest whose config is inline
// (descriptor data), which needs no blob request.
func TestInlineConfig(t *testing.T) {
	srv := newServer(t)
	img := registrytest.Image(t, registrytest.Spec{User: "inline"})
	raw, _ := img.RawConfigFile()
	m, _ := img.Manifest()
	m = m.DeepCopy()
	m.Config.Data = raw
	mb, _ := json.Marshal(m)
	srv.SetFault(onKind("manifest", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", string(m.MediaType))
		_, _ = w.Write(mb)
	}))
	got := mustResolve(t, newResolver(srv), srv.Ref("team/app:1"), "")
	if got.User != "inline" {
		t.Errorf("user = %q", got.User)
	}
	if n := srv.Requests().Blob; n != 0 {
		t.Errorf("blob requests = %d, want 0", n)
	}
}

// rawDoc is a manifest or index served as is.
type rawDoc struct {
	mediaType types.MediaType
	body      []byte
	digest    string
}

// rawManifest makes a schema 2 document of mediaType with fields.
func rawManifest(mediaType types.MediaType, fields map[string]any) rawDoc {
	doc := map[string]any{"schemaVersion": 2, "mediaType": mediaType}
	for k, v := range fields {
		doc[k] = v
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return rawDoc{mediaType: mediaType, body: b, digest: sha256Digest(b)}
}

// descriptor describes content b of mediaType.
func descriptor(mediaType types.MediaType, b []byte) map[string]any {
	return map[string]any{"mediaType": mediaType, "digest": sha256Digest(b), "size": len(b)}
}

func sha256Digest(b []byte) string {
	h, _, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		panic(err)
	}
	return h.String()
}

// rawDocuments serves manifests by tag or digest (the last path element)
// and blobs by their digest, from what it is given.
func rawDocuments(docs map[string]rawDoc, blobs ...[]byte) registrytest.Fault {
	byDigest := map[string][]byte{}
	for _, b := range blobs {
		byDigest[sha256Digest(b)] = b
	}
	return func(w http.ResponseWriter, r *http.Request) bool {
		last := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		switch registrytest.Kind(r.URL.Path) {
		case "manifest":
			d, ok := docs[last]
			if !ok {
				registrytest.WriteError(w, 404, "MANIFEST_UNKNOWN", "")
				return true
			}
			w.Header().Set("Content-Type", string(d.mediaType))
			w.Header().Set("Docker-Content-Digest", d.digest)
			if r.Method != http.MethodHead {
				_, _ = w.Write(d.body)
			}
			return true
		case "blob":
			b, ok := byDigest[last]
			if !ok {
				registrytest.WriteError(w, 404, "BLOB_UNKNOWN", "")
				return true
			}
			_, _ = w.Write(b)
			return true
		}
		return false
	}
}

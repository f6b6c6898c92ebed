package registry

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

// hostNameDialer reaches every host name on 127.0.0.1 at the port asked
// for, so that tests can use distinct host names (registry.test,
// cdn.registry.test) rather than distinct ports of one: net/http copies
// Authorization on a redirect to the same host name or a subdomain of it,
// whatever the port.
func hostNameDialer() *http.Transport {
	var d net.Dialer
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return d.DialContext(ctx, network, "127.0.0.1:"+port)
	}}
}

func portOfHost(hostport string) string {
	_, port, _ := net.SplitHostPort(hostport)
	return port
}

// TestRedirectToAnotherHostName: a registry on registry.test redirects its
// config blob to cdn.registry.test (a subdomain, to which net/http copies
// an Authorization header). The CDN must never see a credential.
func TestRedirectToAnotherHostName(t *testing.T) {
	srv, target, _ := redirectingRegistry(t)
	regHost := "registry.test:" + portOfHost(srv.Host())
	cdnURL := "http://cdn.registry.test:" + portOfHost(strings.TrimPrefix(target.URL, "http://"))
	srv.SetFault(onKind("blob", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, cdnURL+"/cdn"+r.URL.Path+"?sig=abc", http.StatusTemporaryRedirect)
	}))
	insecure := []string{"registry.test", "cdn.registry.test"}

	t.Run("resolver", func(t *testing.T) {
		r := New(WithKeychain(registrytest.Keychain(regHost, testUser, testPass)), WithTransport(hostNameDialer()),
			WithInsecureRegistries(insecure), WithTimeout(faultTimeout))
		img := mustResolve(t, r, regHost+"/team/app:1", "")
		if img.User != "redirected" {
			t.Errorf("user = %q", img.User)
		}
	})

	// The same redirect with the credential on the request the client
	// sends, as net/http copies it: only the guard keeps it from the CDN.
	t.Run("credential on the client's request", func(t *testing.T) {
		g := &guard{base: hostNameDialer(), allowHTTP: func(string) bool { return true }, requests: new(atomic.Int64)}
		client := &http.Client{Transport: g}
		req, err := http.NewRequest(http.MethodGet, "http://"+regHost+"/v2/team/app/blobs/sha256:"+strings.Repeat("0", 64), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Basic "+base64Std(testUser+":"+testPass))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	})

	target.mu.Lock()
	defer target.mu.Unlock()
	if target.hits != 2 {
		t.Errorf("CDN hits = %d, want 2", target.hits)
	}
	if len(target.auths) != 0 {
		t.Errorf("the CDN on another host name received Authorization %q", target.auths)
	}
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

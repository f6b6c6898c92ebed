//go:build integration

package integration

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// These tests prove the harness (install, TLS, htpasswd, start/stop by PID,
// push with auth, DOCKER_CONFIG) without the dockvet binary, so a failure
// in them is the harness's, not dockvet's.

// TestHarnessRegistryAuthAndTLS: the registry speaks TLS with the test CA
// and wants the htpasswd credentials.
func TestHarnessRegistryAuthAndTLS(t *testing.T) {
	hh := h(t)
	url := "https://" + hh.host + "/v2/"
	client := &http.Client{Transport: hh.transport(), Timeout: 5 * time.Second}

	get := func(user, pass string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
	}
	if code, challenge := get("", ""); code != http.StatusUnauthorized || !strings.Contains(challenge, `realm="dockvet-integration"`) {
		t.Errorf("anonymous GET /v2/: %d %q, want 401 with the htpasswd realm", code, challenge)
	}
	if code, _ := get(registryUser, hh.wrongPass); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", code)
	}
	if code, _ := get(registryUser, hh.pass); code != http.StatusOK {
		t.Errorf("right password: %d, want 200", code)
	}

	// Without the test CA, TLS verification fails.
	plain := &http.Client{Timeout: 5 * time.Second}
	resp, err := plain.Get(url)
	if err == nil {
		resp.Body.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("GET with the system roots: %v, want a certificate error", err)
	}
}

// TestHarnessPullBackWithDockerConfig pulls the pushed images back through
// go-containerregistry's default keychain reading the test DOCKER_CONFIG:
// the same credential path dockvet takes.
func TestHarnessPullBackWithDockerConfig(t *testing.T) {
	hh := h(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := func(extra ...remote.Option) []remote.Option {
		return append([]remote.Option{
			remote.WithContext(ctx),
			remote.WithTransport(hh.transport()),
			remote.WithAuthFromKeychain(authn.DefaultKeychain),
		}, extra...)
	}
	ref := func(s string) name.Reference {
		r, err := name.ParseReference(hh.ref(s))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	t.Setenv("DOCKER_CONFIG", hh.goodConfig)
	img, err := remote.Image(ref(repoBase), opts()...)
	if err != nil {
		t.Fatalf("pull %s with the test DOCKER_CONFIG: %v", repoBase, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.User != "" || !slices.Equal(cf.Config.Cmd, specBase.cmd) {
		t.Errorf("%s config: user %q cmd %q", repoBase, cf.Config.User, cf.Config.Cmd)
	}
	if _, ok := cf.Config.Volumes["/var/lib/data"]; !ok {
		t.Errorf("%s volumes %v, want /var/lib/data", repoBase, cf.Config.Volumes)
	}
	if d, _ := img.Digest(); d.String() != hh.digests[repoBase] {
		t.Errorf("%s digest %s, pushed %s", repoBase, d, hh.digests[repoBase])
	}

	img, err = remote.Image(ref(repoNonroot), opts()...)
	if err != nil {
		t.Fatalf("pull %s: %v", repoNonroot, err)
	}
	if cf, err := img.ConfigFile(); err != nil || cf.Config.User != "65532" {
		t.Errorf("%s user: %v %v", repoNonroot, cf, err)
	}

	idx, err := remote.Index(ref(repoMulti), opts()...)
	if err != nil {
		t.Fatalf("pull index %s: %v", repoMulti, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var plats []string
	for _, m := range im.Manifests {
		plats = append(plats, m.Platform.String())
	}
	if !slices.Equal(plats, []string{"linux/amd64", "linux/arm64/v8"}) {
		t.Errorf("index platforms %v", plats)
	}
	for _, c := range []struct {
		plat       v1.Platform
		user, vol  string
		wantDigest string
	}{
		{v1.Platform{OS: "linux", Architecture: "amd64"}, "1000", "/data/amd64", hh.digests[repoMulti+"@amd64"]},
		{v1.Platform{OS: "linux", Architecture: "arm64"}, "", "/data/arm64", hh.digests[repoMulti+"@arm64"]},
	} {
		img, err := remote.Image(ref(repoMulti), opts(remote.WithPlatform(c.plat))...)
		if err != nil {
			t.Fatalf("pull %s for %s: %v", repoMulti, c.plat, err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := cf.Config.Volumes[c.vol]; !ok || cf.Config.User != c.user {
			t.Errorf("%s %s: user %q volumes %v, want %q %s", repoMulti, c.plat, cf.Config.User, cf.Config.Volumes, c.user, c.vol)
		}
		if d, _ := img.Digest(); d.String() != c.wantDigest {
			t.Errorf("%s %s: digest %s, want %s", repoMulti, c.plat, d, c.wantDigest)
		}
	}

	// The wrong password and no credentials are refused with 401.
	for _, dc := range []string{hh.wrongConfig, hh.emptyConfig} {
		t.Setenv("DOCKER_CONFIG", dc)
		_, err := remote.Get(ref(repoBase), opts()...)
		var terr *transport.Error
		if !errors.As(err, &terr) || terr.StatusCode != http.StatusUnauthorized {
			t.Errorf("DOCKER_CONFIG=%s: %v, want a 401 transport.Error", dc, err)
		}
	}
}

// TestHarnessStopByPID starts a second registry, stops it by process group
// and checks that the process is gone and the port is closed.
func TestHarnessStopByPID(t *testing.T) {
	hh := h(t)
	mainHost := hh.host
	s, err := hh.startRegistry(0)
	hh.host = mainHost // startRegistry records the new host; keep the main one
	if err != nil {
		t.Fatalf("start a second registry: %v", err)
	}
	t.Cleanup(func() { s.stop() })
	if pgid, err := syscall.Getpgid(s.pid); err != nil || pgid != s.pid {
		t.Errorf("registry pid %d: pgid %d (%v), want its own process group", s.pid, pgid, err)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if s.alive() {
		t.Fatalf("pid %d still running after stop", s.pid)
	}
	if err := syscall.Kill(s.pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("kill(%d, 0) after stop: %v, want ESRCH", s.pid, err)
	}
	client := &http.Client{Transport: hh.transport(), Timeout: 2 * time.Second}
	if resp, err := client.Get("https://127.0.0.1:" + strconv.Itoa(s.port) + "/v2/"); err == nil {
		resp.Body.Close()
		t.Errorf("port %d still answers after stop", s.port)
	}
	if !hh.reg.alive() {
		t.Fatalf("stopping the second registry stopped the main one")
	}
}

package main

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

// TestLintRegistryFaults lints a Dockerfile whose base image lives on a
// loopback registry that misbehaves, through the whole CLI: every failure
// is a DV001 finding naming the reason (info, so exit 0 by default and 1
// with --fail-on info), never an exit 2, a crash or a hang, and the
// credentials never appear in the output.
func TestLintRegistryFaults(t *testing.T) {
	const user, pass = "ci-bot", "Sup3r-s3cret-pw"
	never := make(chan struct{})
	t.Cleanup(func() { close(never) })
	manifestOnly := func(status int, body string, hdr map[string]string) registrytest.Fault {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.Contains(r.URL.Path, "/manifests/") {
				return false
			}
			for k, v := range hdr {
				w.Header().Set(k, v)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
			return true
		}
	}
	tests := []struct {
		name    string
		fault   registrytest.Fault
		ref     string // repository:tag; default team/base:1.0
		pass    string // password in DOCKER_CONFIG; default the right one
		reason  string
		maxTime time.Duration
	}{
		{name: "wrong password", pass: "Wr0ng-Pa55-x9", reason: "unauthorized", maxTime: 5 * time.Second},
		{name: "403", fault: manifestOnly(403, `{"errors":[{"code":"DENIED","message":"no"}]}`, nil), reason: "access denied", maxTime: 5 * time.Second},
		{name: "404", ref: "team/base:9.9", reason: "not found", maxTime: 5 * time.Second},
		{name: "429 with a long Retry-After", fault: manifestOnly(429, `{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`, map[string]string{"Retry-After": "3600"}), reason: "rate-limited", maxTime: 5 * time.Second},
		{name: "500", fault: manifestOnly(500, "oops", nil), reason: "server error", maxTime: 8 * time.Second},
		{name: "malformed manifest", fault: manifestOnly(200, "{not json", nil), reason: "invalid response", maxTime: 5 * time.Second},
		{name: "never answers", fault: func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.Contains(r.URL.Path, "/manifests/") {
				return false
			}
			select {
			case <-never:
			case <-r.Context().Done():
			}
			return true
		}, reason: "timeout", maxTime: 6 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := registrytest.New(t, registrytest.WithAuth(user, pass))
			srv.Push(t, "team/base:1.0", registrytest.Image(t, registrytest.Spec{User: "app"}))
			if tt.fault != nil {
				srv.SetFault(tt.fault)
			}
			ref := tt.ref
			if ref == "" {
				ref = "team/base:1.0"
			}
			pw := tt.pass
			if pw == "" {
				pw = pass
			}
			dockerConfig := t.TempDir()
			writeDockerConfig(t, dockerConfig, srv.Host(), user, pw)
			dir := t.TempDir()
			df := filepath.Join(dir, "Dockerfile")
			if err := os.WriteFile(df, []byte("FROM "+srv.Ref(ref)+"\nUSER 1000\nCMD [\"app\"]\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Setenv("DOCKER_CONFIG", dockerConfig)
			for _, failOn := range []string{"warning", "info"} {
				start := time.Now()
				code, out, errOut := runCLIEnv(t, map[string]string{}, "", "lint", "-f", "gnu", "--fail-on", failOn, "--registry-timeout", "2s", df)
				took := time.Since(start)
				want := 0
				if failOn == "info" {
					want = 1
				}
				if code != want {
					t.Errorf("--fail-on %s: exit %d, want %d\n%s%s", failOn, code, want, out, errOut)
				}
				if !strings.Contains(out, "[DV001]") || !strings.Contains(out, "was not checked ("+tt.reason) {
					t.Errorf("want DV001 with reason %q, got:\n%s", tt.reason, out)
				}
				if took > tt.maxTime {
					t.Errorf("took %v, want at most %v", took, tt.maxTime)
				}
				for _, secret := range []string{pass, "Wr0ng-Pa55-x9", base64Std(user + ":" + pw), srv.Token()} {
					if secret != "" && (strings.Contains(out, secret) || strings.Contains(errOut, secret)) {
						t.Errorf("output leaks %q", secret)
					}
				}
			}
		})
	}
}

// writeDockerConfig writes a docker config.json with basic-auth credentials
// for host.
func writeDockerConfig(t *testing.T, dir, host, user, pass string) {
	t.Helper()
	auth := base64Std(user + ":" + pass)
	cfg := `{"auths":{"` + host + `":{"auth":"` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

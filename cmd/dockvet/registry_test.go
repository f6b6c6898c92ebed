package main

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
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
	// hangBound only tells a finished run from a hung one: with a 2 s
	// --registry-timeout the reason, not the time, proves each fault was
	// classified without waiting (a wait would end as "timeout"); a run that
	// hangs or waits out the 3600 s Retry-After exceeds it by far, and a loaded
	// CI machine stays far below it.
	const hangBound = 30 * time.Second
	tests := []struct {
		name    string
		fault   registrytest.Fault
		ref     string // repository:tag; default team/base:1.0
		pass    string // password in DOCKER_CONFIG; default the right one
		reason  string
		maxTime time.Duration
	}{
		{name: "wrong password", pass: "Wr0ng-Pa55-x9", reason: "unauthorized", maxTime: hangBound},
		{name: "403", fault: manifestOnly(403, `{"errors":[{"code":"DENIED","message":"no"}]}`, nil), reason: "access denied", maxTime: hangBound},
		{name: "404", ref: "team/base:9.9", reason: "not found", maxTime: hangBound},
		{name: "429 with a long Retry-After", fault: manifestOnly(429, `{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`, map[string]string{"Retry-After": "3600"}), reason: "rate-limited", maxTime: hangBound},
		{name: "500", fault: manifestOnly(500, "oops", nil), reason: "server error", maxTime: hangBound},
		{name: "malformed manifest", fault: manifestOnly(200, "{not json", nil), reason: "invalid response", maxTime: hangBound},
		{name: "never answers", fault: func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.Contains(r.URL.Path, "/manifests/") {
				return false
			}
			select {
			case <-never:
			case <-r.Context().Done():
			}
			return true
		}, reason: "timeout", maxTime: hangBound},
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

// TestCredentialsNeverInOutput: a registry that echoes the password in its
// error body, and a credential helper that fails printing the credential,
// never get it into any output format nor stderr.
func TestCredentialsNeverInOutput(t *testing.T) {
	const user, secret = "ci-bot", "S3cretPassw0rd"
	echo := "invalid login: user " + user + " password " + secret + " basic " + base64Std(user+":"+secret)
	tests := []struct {
		name   string
		config func(t *testing.T, dir, host string)
		fault  registrytest.Fault
	}{
		{
			name:   "registry echoes the password",
			config: func(t *testing.T, dir, host string) { writeDockerConfig(t, dir, host, user, secret) },
			fault: func(w http.ResponseWriter, r *http.Request) bool {
				if registrytest.Kind(r.URL.Path) != "token" {
					return false
				}
				registrytest.WriteError(w, http.StatusUnauthorized, "UNAUTHORIZED", echo)
				return true
			},
		},
		{
			name: "credential helper fails printing the credential",
			config: func(t *testing.T, dir, host string) {
				helper := filepath.Join(dir, "docker-credential-dvleaky")
				script := "#!/bin/sh\necho '" + user + ":" + secret + "'\necho 'password " + secret + "' >&2\nexit 1\n"
				if err := os.WriteFile(helper, []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
				t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
				cfg := `{"credHelpers":{"` + host + `":"dvleaky"}}`
				if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := registrytest.New(t, registrytest.WithAuth(user, secret))
			srv.Push(t, "team/base:1.0", registrytest.Image(t, registrytest.Spec{User: "app"}))
			srv.SetFault(tt.fault)
			dockerConfig := t.TempDir()
			tt.config(t, dockerConfig, srv.Host())
			t.Setenv("DOCKER_CONFIG", dockerConfig)
			df := filepath.Join(t.TempDir(), "Dockerfile")
			if err := os.WriteFile(df, []byte("FROM "+srv.Ref("team/base:1.0")+"\nCMD [\"app\"]\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, format := range []string{"text", "gnu", "json"} {
				// A credential helper inherits the process's stderr unless
				// it is run with its own: watch what reaches it.
				var out, errOut string
				processStderr := captureProcessStderr(t, func() {
					_, out, errOut = runCLIEnv(t, map[string]string{}, "", "lint", "-f", format, "--registry-timeout", "5s", df)
				})
				errOut += processStderr
				if !strings.Contains(out, "DV001") || !strings.Contains(out, "unauthorized") {
					t.Errorf("-f %s: want DV001 unauthorized, got:\n%s%s", format, out, errOut)
				}
				for _, s := range []string{secret, base64Std(user + ":" + secret), srv.Token()} {
					if strings.Contains(out, s) || strings.Contains(errOut, s) {
						t.Errorf("-f %s: output leaks %q:\n%s%s", format, s, out, errOut)
					}
				}
			}
		})
	}
}

// captureProcessStderr runs f with os.Stderr (which child processes
// inherit) redirected to a pipe, and returns what was written to it.
func captureProcessStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	f()
	os.Stderr = saved
	_ = w.Close()
	b := <-done
	_ = r.Close()
	return string(b)
}

// TestOfflineMissesOnce: an offline run reports the bases missing from the
// cache once on stderr (counting distinct bases), not as one DV001 per
// FROM, and the unknown base's DV302 is info, so the run passes.
func TestOfflineMissesOnce(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, base := range []string{"alpine:3.20", "alpine:3.20", "debian:12"} {
		df := filepath.Join(dir, "Dockerfile."+string(rune('a'+i)))
		if err := os.WriteFile(df, []byte("FROM "+base+"\nCMD [\"app\"]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, df)
	}
	tests := []struct {
		name    string
		environ map[string]string
		flags   []string
		stderr  string
	}{
		{"--offline", map[string]string{}, []string{"--offline"}, "dockvet: 2 base images were not checked (offline, not in the cache): inherited volumes, user and CMD/ENTRYPOINT are unknown; run once without --offline (and without DOCKVET_OFFLINE or offline: true) to fill the cache\n"},
		{"DOCKVET_OFFLINE", map[string]string{"DOCKVET_OFFLINE": "1"}, nil, "dockvet: 2 base images were not checked"},
		{"--no-cache", map[string]string{}, []string{"--offline", "--no-cache"}, "the cache is disabled (--no-cache)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"lint", "-f", "gnu"}, tt.flags...), files...)
			code, out, errOut := runCLIEnv(t, tt.environ, "", args...)
			if code != 0 {
				t.Errorf("exit %d, want 0 (DV302 on an unknown base is info)\n%s", code, out)
			}
			if strings.Contains(out, "DV001") {
				t.Errorf("DV001 reported per FROM offline:\n%s", out)
			}
			if got := strings.Count(out, ": info: no USER in the final image"); got != 3 {
				t.Errorf("%d DV302 infos, want 3:\n%s", got, out)
			}
			if !strings.Contains(errOut, tt.stderr) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("stderr %q, want one line containing %q", errOut, tt.stderr)
			}
		})
	}
}

// TestCredentialHelperAnswers: a working credential helper (run by dockvet
// itself, quietly) authenticates the lookup.
func TestCredentialHelperAnswers(t *testing.T) {
	const user, secret = "ci-bot", "Helper-Pa55-w0rd"
	srv := registrytest.New(t, registrytest.WithAuth(user, secret))
	srv.Push(t, "team/base:1.0", registrytest.Image(t, registrytest.Spec{User: "app"}))
	dir := t.TempDir()
	script := "#!/bin/sh\nread server\necho '{\"ServerURL\":\"'$server'\",\"Username\":\"" + user + "\",\"Secret\":\"" + secret + "\"}'\n"
	if err := os.WriteFile(filepath.Join(dir, "docker-credential-dvgood"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"credHelpers":{"`+srv.Host()+`":"dvgood"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DOCKER_CONFIG", dir)
	df := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM "+srv.Ref("team/base:1.0")+"\nCMD [\"app\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLIEnv(t, map[string]string{}, "", "lint", "-f", "gnu", "--fail-on", "info", df)
	if code != 0 || out != "" {
		t.Errorf("exit %d, want 0 and no finding (the base sets user app):\n%s%s", code, out, errOut)
	}
}

// runMainEnv makes the test binary run main (see TestMain).
const runMainEnv = "DOCKVET_TEST_RUN_MAIN"

// dockvetProcess starts the test binary as dockvet with args.
func dockvetProcess(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	// os.Executable, not os.Args[0]: a test binary started by a relative
	// path is not found by it once TestMain has changed directory.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(append(os.Environ(), runMainEnv+"=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out, &errb
}

// TestInterruptExits130: Ctrl-C while base-image lookups hang cancels them:
// the process exits 130 at once, the cache holds no partial file, and a
// following run is served from what the cache got.
func TestInterruptExits130(t *testing.T) {
	srv := registrytest.New(t)
	srv.Push(t, "team/good:1", registrytest.Image(t, registrytest.Spec{User: "app"}))
	var hanging atomic.Int32
	srv.SetFault(func(_ http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "/team/hang/") {
			return false
		}
		hanging.Add(1)
		<-r.Context().Done()
		return true
	})
	dir := t.TempDir()
	good, hang := filepath.Join(dir, "Dockerfile.good"), filepath.Join(dir, "Dockerfile.hang")
	for path, ref := range map[string]string{good: "team/good:1", hang: "team/hang:1"} {
		if err := os.WriteFile(path, []byte("FROM "+srv.Ref(ref)+"\nCMD [\"app\"]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cache := t.TempDir()
	env := []string{"DOCKVET_CACHE_DIR=" + cache, "DOCKER_CONFIG=" + t.TempDir(), "DOCKVET_OFFLINE="}

	cmd, out, errOut := dockvetProcess(t, env, "lint", "-f", "gnu", "--registry-timeout", "10m", good, hang)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	// Interrupt once the hanging lookup is at the registry and the good one
	// is in the cache: its tag entry, manifest, config and repository marker
	// written (the server seeing the config request is not enough on a
	// loaded machine: the client may not have stored it yet).
	goodCached := func() bool {
		count := func(pattern string) int {
			m, _ := filepath.Glob(filepath.Join(cache, pattern))
			n := 0
			for _, p := range m {
				if !strings.HasPrefix(filepath.Base(p), ".tmp-") {
					n++
				}
			}
			return n
		}
		return count("registry/tags/*") >= 1 && count("registry/blobs/sha256/*") >= 2 && count("registry/repos/*/*") >= 1
	}
	for i := 0; ; i++ {
		if hanging.Load() > 0 && goodCached() {
			break
		}
		if i == 2000 {
			t.Fatalf("lookups did not start; stderr:\n%s", errOut)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-waited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("dockvet did not end after SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut.String(), "dockvet: interrupted") {
		t.Errorf("stderr %q does not say it was interrupted", errOut)
	}
	err := filepath.WalkDir(cache, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("partial cache file left: %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A warm run offline: the good base comes from the cache (its user is
	// app, so no DV302), the interrupted one is counted as not in the cache.
	srv.Reset()
	cmd, out, errOut = dockvetProcess(t, env, "lint", "-f", "gnu", "--offline", "--fail-on", "info", good, hang)
	_ = cmd.Wait()
	if strings.Contains(out.String(), "Dockerfile.good") {
		t.Errorf("the good base was not answered from the cache:\n%s", out)
	}
	if !strings.Contains(errOut.String(), "dockvet: 1 base image was not checked") {
		t.Errorf("stderr %q, want one base not in the cache", errOut)
	}
	if got := srv.Requests(); got.Total() != 0 {
		t.Errorf("offline run sent %+v", got)
	}
}

package action

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// The action's script (run.sh) is tested as GitHub runs it: bash with
// INPUT_* variables, RUNNER_TEMP, GITHUB_ACTION_PATH and GITHUB_PATH. Every
// run is offline (DOCKVET_OFFLINE=1): base images are never fetched.

var (
	repoRoot, _ = filepath.Abs(filepath.Join("..", ".."))
	script      = filepath.Join(repoRoot, "scripts", "action", "run.sh")

	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// dockvetBinary is dockvet built once for the release-download tests,
// which serve it as a release asset.
func dockvetBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dockvet-action-test-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "dockvet")
		out, err := exec.Command("go", "build", "-o", builtBin, "github.com/dockvet/dockvet/cmd/dockvet").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// project writes a repository with a bad and a good Dockerfile.
func project(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"bad/Dockerfile":  "FROM alpine:3.20\nUSER 65532\nVOLUME /data\n",
		"good/Dockerfile": "FROM alpine:3.20\nUSER 65532\nCMD [\"sleep\", \"1\"]\n",
		"quiet.yaml":      "ignore: [DV100]\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type result struct {
	code           int
	stdout, stderr string
	githubPath     string
}

// run runs the script in dir with the given inputs. withGo puts the go
// command on PATH (building from the checkout needs it; a download must not).
func run(t *testing.T, dir string, withGo bool, env ...string) result {
	t.Helper()
	path := "/usr/local/bin:/usr/bin:/bin"
	if withGo {
		goBin, err := exec.LookPath("go")
		if err != nil {
			t.Fatal(err)
		}
		path = filepath.Dir(goBin) + ":" + path
	}
	home := t.TempDir()
	githubPath := filepath.Join(t.TempDir(), "github_path")
	cmd := exec.Command("bash", script)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"PATH=" + path,
		"HOME=" + home,
		"RUNNER_TEMP=" + t.TempDir(),
		"GITHUB_ACTION_PATH=" + repoRoot,
		"GITHUB_PATH=" + githubPath,
		"DOCKVET_OFFLINE=1",
		"DOCKVET_CACHE_DIR=" + filepath.Join(home, "cache"),
		"NO_COLOR=1",
	}, env...)
	if withGo { // the test's module and build caches, so the build is warm
		for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOFLAGS", "GONOSUMDB", "GOTOOLCHAIN"} {
			if val, ok := os.LookupEnv(v); ok {
				cmd.Env = append(cmd.Env, v+"="+val)
			} else if out, err := exec.Command("go", "env", v).Output(); err == nil {
				cmd.Env = append(cmd.Env, v+"="+strings.TrimSpace(string(out)))
			}
		}
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(githubPath); err == nil {
		r.githubPath = string(b)
	}
	return r
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout ---\n%s--- stderr ---\n%s", r.code, r.stdout, r.stderr)
}

// rules lists the rule ids of a json report, per file.
func rules(t *testing.T, r result) map[string][]string {
	t.Helper()
	var doc struct {
		Findings []struct{ Rule, File string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not a json report: %v\n%s", err, r)
	}
	out := map[string][]string{}
	for _, f := range doc.Findings {
		out[filepath.ToSlash(f.File)] = append(out[filepath.ToSlash(f.File)], f.Rule)
	}
	return out
}

func has(list []string, id string) bool {
	for _, s := range list {
		if s == id {
			return true
		}
	}
	return false
}

// TestBuildFromCheckout: with no version, the action builds dockvet from
// its own checkout with Go.
func TestBuildFromCheckout(t *testing.T) {
	r := run(t, project(t), true, "INPUT_FORMAT=json", "INPUT_PATHS=bad good")
	if r.code != 1 {
		t.Fatalf("want exit 1:\n%s", r)
	}
	got := rules(t, r)
	if !has(got["bad/Dockerfile"], "DV100") || has(got["good/Dockerfile"], "DV100") {
		t.Errorf("findings %v: want DV100 in bad/Dockerfile only", got)
	}
	if !strings.Contains(r.stderr, "dockvet devel") {
		t.Errorf("the script does not print the version it built:\n%s", r)
	}
	if !strings.HasSuffix(strings.TrimSpace(r.githubPath), "dockvet-action/bin") {
		t.Errorf("GITHUB_PATH %q: later steps cannot run dockvet", r.githubPath)
	}
	if r := run(t, project(t), false, "INPUT_FORMAT=json"); r.code != 2 || !strings.Contains(r.stderr, "no go on PATH") {
		t.Errorf("without Go and without a version: want exit 2 saying why:\n%s", r)
	}
}

// TestInputs: format, fail-on, config and paths reach dockvet. (The binary
// is a release download here, to spare a link per case.)
func TestInputs(t *testing.T) {
	dir := project(t)
	srv, _ := releaseServer(t, dist(t, func(s string) string { return s + "  " + hostAsset() + "\n" }))
	for _, tc := range []struct {
		name     string
		env      []string
		wantCode int
		check    func(t *testing.T, r result)
	}{
		{"json, both paths on one line", []string{"INPUT_FORMAT=json", "INPUT_PATHS=bad good"}, 1, func(t *testing.T, r result) {
			got := rules(t, r)
			if !has(got["bad/Dockerfile"], "DV100") || has(got["good/Dockerfile"], "DV100") {
				t.Errorf("findings %v: want DV100 in bad/Dockerfile only", got)
			}
		}},
		{"paths on separate lines", []string{"INPUT_FORMAT=json", "INPUT_PATHS=bad\ngood\n"}, 1, func(t *testing.T, r result) {
			if got := rules(t, r); !has(got["bad/Dockerfile"], "DV100") {
				t.Errorf("findings %v", got)
			}
		}},
		{"default path is the working directory", []string{"INPUT_FORMAT=json"}, 1, func(t *testing.T, r result) {
			if got := rules(t, r); !has(got["bad/Dockerfile"], "DV100") {
				t.Errorf("findings %v", got)
			}
		}},
		{"gnu format", []string{"INPUT_FORMAT=gnu", "INPUT_PATHS=bad"}, 1, func(t *testing.T, r result) {
			if !strings.Contains(r.stdout, "bad/Dockerfile:3:8: warning: ") || !strings.Contains(r.stdout, "[DV100]") {
				t.Errorf("not a gnu report:\n%s", r)
			}
		}},
		{"fail-on none", []string{"INPUT_FORMAT=json", "INPUT_PATHS=bad", "INPUT_FAIL_ON=none"}, 0, nil},
		{"fail-on error", []string{"INPUT_FORMAT=json", "INPUT_PATHS=bad", "INPUT_FAIL_ON=error"}, 0, nil},
		{"config", []string{"INPUT_FORMAT=json", "INPUT_PATHS=bad", "INPUT_CONFIG=quiet.yaml"}, 0, func(t *testing.T, r result) {
			if got := rules(t, r); has(got["bad/Dockerfile"], "DV100") {
				t.Errorf("the config ignores DV100, yet: %v", got)
			}
		}},
		{"bad input is dockvet's usage error", []string{"INPUT_FORMAT=json", "INPUT_FAIL_ON=sometimes"}, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, dir, false, append(tc.env, "INPUT_VERSION=v0.1.0", "DOCKVET_RELEASE_URL="+srv.URL)...)
			if r.code != tc.wantCode {
				t.Fatalf("want exit %d:\n%s", tc.wantCode, r)
			}
			if !strings.Contains(r.stderr, "dockvet ") {
				t.Errorf("the script does not print the version it runs:\n%s", r)
			}
			if !strings.HasSuffix(strings.TrimSpace(r.githubPath), "dockvet-action/bin") {
				t.Errorf("GITHUB_PATH %q: later steps cannot run dockvet", r.githubPath)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

// releaseServer serves a release directory (what make release writes to
// dist/) as GitHub serves release assets: /download/TAG/NAME and
// /latest/download/NAME.
func releaseServer(t *testing.T, dist string) (*httptest.Server, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		name := filepath.Base(r.URL.Path)
		if !strings.HasPrefix(r.URL.Path, "/download/v0.1.0/") && !strings.HasPrefix(r.URL.Path, "/latest/download/") {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(dist, name))
	}))
	t.Cleanup(srv.Close)
	return srv, &paths
}

// hostAsset is the release asset name of the machine running the test.
func hostAsset() string {
	name := "dockvet-" + runtime.GOOS + "-" + runtime.GOARCH
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return name
}

// dist writes a release directory holding this machine's binary and a
// SHA256SUMS whose line for it is sumFor(real digest).
func dist(t *testing.T, sumFor func(string) string) string {
	t.Helper()
	bin, err := os.ReadFile(dockvetBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, hostAsset()), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(bin)
	sums := sumFor(hex.EncodeToString(sum[:]))
	if err := os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(sums), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDownloadRelease: with a version, the action downloads the release
// asset of the runner and runs it only when SHA256SUMS vouches for it. Go
// is not on PATH: nothing is built.
func TestDownloadRelease(t *testing.T) {
	other := strings.Repeat("0", 64) + "  dockvet-plan9-amd64\n"
	for _, tc := range []struct {
		name, version string
		sums          func(string) string
		wantCode      int
		wantPath      string
		wantErr       string
	}{
		{"tag", "v0.1.0", func(s string) string { return other + s + "  " + hostAsset() + "\n" }, 1, "/download/v0.1.0/", ""},
		{"latest", "latest", func(s string) string { return s + "  " + hostAsset() + "\n" }, 1, "/latest/download/", ""},
		{"binary-mode checksum line", "v0.1.0", func(s string) string { return s + " *" + hostAsset() + "\n" }, 1, "/download/v0.1.0/", ""},
		{"checksum mismatch", "v0.1.0", func(s string) string { return strings.Repeat("f", 64) + "  " + hostAsset() + "\n" }, 2, "", "checksum mismatch"},
		{"asset not listed", "v0.1.0", func(string) string { return other }, 2, "", "lists no " + hostAsset()},
		{"unknown release", "v9.9.9", func(s string) string { return s + "  " + hostAsset() + "\n" }, 2, "", "cannot download"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, paths := releaseServer(t, dist(t, tc.sums))
			r := run(t, project(t), false, "INPUT_VERSION="+tc.version, "INPUT_FORMAT=json", "INPUT_PATHS=bad", "DOCKVET_RELEASE_URL="+srv.URL)
			if r.code != tc.wantCode {
				t.Fatalf("want exit %d:\n%s", tc.wantCode, r)
			}
			if tc.wantErr != "" {
				if !strings.Contains(r.stderr, tc.wantErr) || r.stdout != "" {
					t.Errorf("want %q on stderr and dockvet not run:\n%s", tc.wantErr, r)
				}
				return
			}
			if got := rules(t, r); !has(got["bad/Dockerfile"], "DV100") {
				t.Errorf("findings %v", got)
			}
			want := []string{tc.wantPath + "SHA256SUMS", tc.wantPath + hostAsset()}
			if strings.Join(*paths, " ") != strings.Join(want, " ") {
				t.Errorf("requests %v, want %v", *paths, want)
			}
		})
	}
}

// TestSarifFile: sarif-file writes a SARIF report beside the main output,
// and the exit code stays the main run's.
func TestSarifFile(t *testing.T) {
	dir := project(t)
	sarif := filepath.Join(dir, "dockvet.sarif")
	r := run(t, dir, true, "INPUT_FORMAT=json", "INPUT_PATHS=bad", "INPUT_SARIF_FILE="+sarif)
	if r.code != 1 {
		t.Fatalf("want exit 1 (the findings of the main run):\n%s", r)
	}
	if got := rules(t, r); !has(got["bad/Dockerfile"], "DV100") {
		t.Errorf("main report %v", got)
	}
	raw, err := os.ReadFile(sarif)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("not a SARIF 2.1.0 report (%v):\n%s", err, raw)
	}
	found := false
	for _, res := range doc.Runs[0].Results {
		found = found || res.RuleID == "DV100" || strings.HasPrefix(res.RuleID, "DV100")
	}
	if !found {
		t.Errorf("the SARIF report has no DV100 result:\n%s", raw)
	}
}

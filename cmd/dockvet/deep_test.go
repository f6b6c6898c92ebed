package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockvet/dockvet/internal/imagesrc/imagesrctest"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

var (
	deepOnce sync.Once
	deepImg  v1.Image
)

// deepImage is imagesrctest.DeepImage, built once: 64 MiB wasted (apt
// lists deleted by entry 5, a model overwritten by entry 6) and 25 MiB
// under VOLUME /mnt/models.
func deepImage(t *testing.T) v1.Image {
	t.Helper()
	deepOnce.Do(func() { deepImg = imagesrctest.DeepImage(t) })
	return deepImg
}

// inDeepDir writes deepImage as the OCI layout deep (tag v1) in a fresh
// working directory and returns the repository root.
func inDeepDir(t *testing.T) string {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	imagesrctest.WriteLayout(t, filepath.Join(dir, "deep"), imagesrctest.Entry{Image: deepImage(t), Tag: "v1"})
	t.Chdir(dir)
	return root
}

func TestImageDeep(t *testing.T) {
	root := inDeepDir(t)
	for _, tt := range []struct {
		golden string
		args   []string
	}{
		{"image.deep.text", []string{"image", "--deep", "--color", "never", "oci-layout:deep:v1"}},
		{"image.deep.json", []string{"image", "--deep", "-f", "json", "oci-layout:deep:v1"}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			if code != 1 || errOut != "" {
				t.Errorf("exit %d, stderr %q", code, errOut)
			}
			imageGolden(t, root, tt.golden, out)
		})
	}

	// Without --deep, nothing needs the layers: no DV500, no DV101.
	code, out, _ := runCLI(t, "", "image", "-f", "gnu", "oci-layout:deep:v1")
	if code != 1 || strings.Contains(out, "[DV500]") || strings.Contains(out, "[DV101]") || !strings.Contains(out, "[DV100]") {
		t.Errorf("exit %d:\n%s", code, out)
	}

	// max-wasted-bytes from the config raises the bar; --ignore works.
	if err := os.WriteFile(".dockvet.yaml", []byte("max-wasted-bytes: 100MiB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ = runCLI(t, "", "image", "--deep", "-f", "gnu", "oci-layout:deep:v1")
	if strings.Contains(out, "[DV500]") || !strings.Contains(out, "[DV101]") {
		t.Errorf("max-wasted-bytes 100MiB:\n%s", out)
	}
	if err := os.WriteFile(".dockvet.yaml", []byte("max-wasted-bytes: 60MiB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ = runCLI(t, "", "image", "--deep", "-f", "gnu", "--ignore", "volume-over-image-data", "oci-layout:deep:v1")
	if !strings.Contains(out, "more than max-wasted-bytes 60 MiB") || strings.Contains(out, "[DV101]") {
		t.Errorf("max-wasted-bytes 60MiB:\n%s", out)
	}
}

// TestImageDeepBrokenLayer: an image whose layer cannot be read keeps its
// other findings, and the run says why and exits 2.
func TestImageDeepBrokenLayer(t *testing.T) {
	inDeepDir(t)
	ls, err := deepImage(t).Layers()
	if err != nil {
		t.Fatal(err)
	}
	d, err := ls[2].Digest()
	if err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join("deep", "blobs", "sha256", d.Hex)
	b, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blob, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "image", "--deep", "-f", "gnu", "oci-layout:deep:v1")
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(out, "[DV100]") || !strings.Contains(out, "[DV401]") || strings.Contains(out, "[DV500]") {
		t.Errorf("findings:\n%s", out)
	}
	want := "oci-layout:deep:v1: error: --deep: could not read layer 3 of 5 (sha256:" + d.Hex[:12] + ", history entry 4): "
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	t.Log(errOut)

	// JSON lists it among the errors.
	_, out, _ = runCLI(t, "", "image", "--deep", "-f", "json", "oci-layout:deep:v1")
	var doc struct {
		Findings []map[string]any `json:"findings"`
		Errors   []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) == 0 || len(doc.Errors) != 1 || !strings.HasPrefix(doc.Errors[0]["message"].(string), "--deep: could not read layer 3 of 5") {
		t.Errorf("%v", doc.Errors)
	}
}

// TestImageDeepRegistryCache: the first run reads each layer once from the
// registry; a second run on the same cache sends no request at all.
func TestImageDeepRegistryCache(t *testing.T) {
	srv := registrytest.New(t, registrytest.WithAuth("u", "p"))
	srv.Push(t, "team/deep:1", deepImage(t))
	home := t.TempDir()
	cfgDir := filepath.Join(home, ".docker")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	auth := `{"auths":{"` + srv.Host() + `":{"auth":"dTpw"}}}` // u:p
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(auth), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", cfgDir)
	environ := map[string]string{"DOCKVET_CACHE_DIR": t.TempDir()}
	ref := srv.Ref("team/deep:1")

	code, cold, errOut := runCLIEnv(t, environ, "", "image", "--deep", "-f", "gnu", ref)
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	if got := srv.Requests(); got.Blob != 6 {
		t.Errorf("cold run: %+v, want 6 blob requests (config + 5 layers)", got)
	}
	t.Logf("cold run: %+v, %d bytes served", srv.Requests(), srv.BytesServed())
	srv.Reset()
	_, warm, _ := runCLIEnv(t, environ, "", "image", "--deep", "-f", "gnu", ref)
	if got := srv.Requests(); got.Total() != 0 {
		t.Errorf("warm run sent %d requests: %v", got.Total(), srv.Log())
	}
	if warm != cold || !strings.Contains(warm, "[DV500]") {
		t.Errorf("warm run differs:\n%s\n%s", warm, cold)
	}
}

func TestImageDeepProgress(t *testing.T) {
	inDeepDir(t)
	run := func(term bool, args ...string) string {
		var out, errb bytes.Buffer
		cache := t.TempDir()
		e := &env{
			stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
			getenv: func(k string) string {
				if k == "DOCKVET_CACHE_DIR" {
					return cache
				}
				return ""
			},
			isTerminal: func(w io.Writer) bool { return term && w == &errb },
		}
		if code := e.run(args); code != 1 {
			t.Errorf("%v: exit %d (%s)", args, code, errb.String())
		}
		if strings.Contains(out.String(), "dockvet: layers") {
			t.Errorf("progress on stdout:\n%s", out.String())
		}
		return errb.String()
	}
	got := run(true, "image", "--deep", "-f", "json", "oci-layout:deep:v1")
	if !strings.HasPrefix(got, "\r\x1b[Kdockvet: layers 0/5 [>                   ] 0 B / 112.1 KiB") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("progress %q", got)
	}
	if got := run(true, "image", "--deep", "--quiet", "oci-layout:deep:v1"); got != "" {
		t.Errorf("--quiet: %q", got)
	}
	if got := run(false, "image", "--deep", "oci-layout:deep:v1"); got != "" {
		t.Errorf("not a terminal: %q", got)
	}
	if got := run(true, "image", "oci-layout:deep:v1"); got != "" {
		t.Errorf("without --deep: %q", got)
	}
}

// TestImageDeepRegistryTooSlow: a registry that trickles a layer just fast
// enough never to trip the stall timer (--registry-timeout) is cut off at
// the deadline, max(2 × the timeout, the declared bytes at 1 MiB/s): the
// image keeps its other findings and the run exits 2, saying why.
func TestImageDeepRegistryTooSlow(t *testing.T) {
	ls, err := deepImage(t).Layers()
	if err != nil {
		t.Fatal(err)
	}
	d, err := ls[2].Digest()
	if err != nil {
		t.Fatal(err)
	}
	rc, err := ls[2].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	blob, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	const timeout, interval = time.Second, 100 * time.Millisecond
	srv := registrytest.New(t)
	srv.Push(t, "team/deep:1", deepImage(t))
	srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+d.String()) {
			return false
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(blob)))
		w.Header().Set("Docker-Content-Digest", d.String())
		w.WriteHeader(http.StatusOK)
		// One byte every interval, for at most 10s (then the rest, so that
		// without a deadline the run ends, late and successful).
		rest, stop := blob, time.Now().Add(10*time.Second)
		for len(rest) > 0 && time.Now().Before(stop) {
			if _, err := w.Write(rest[:1]); err != nil {
				return true
			}
			_ = http.NewResponseController(w).Flush()
			rest = rest[1:]
			select {
			case <-time.After(interval):
			case <-r.Context().Done():
				return true
			}
		}
		_, _ = w.Write(rest)
		return true
	})

	start := time.Now()
	code, out, errOut := runCLIEnv(t, map[string]string{}, "", "image", "--deep", "--registry-timeout", timeout.String(), "-f", "gnu", srv.Ref("team/deep:1"))
	elapsed := time.Since(start)
	t.Logf("%s: %s", elapsed, errOut)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(out, "[DV100]") || strings.Contains(out, "[DV500]") {
		t.Errorf("findings:\n%s", out)
	}
	want := fmt.Sprintf(": error: --deep: could not read layer 3 of 5 (sha256:%s, history entry 4): too slow: ", d.Hex[:12])
	if !strings.Contains(errOut, want) || !strings.Contains(errOut, fmt.Sprintf(" of %d bytes in ", len(blob))) {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	if !strings.Contains(errOut, "(the image's layers must be read within 2s: ") {
		t.Errorf("stderr %q: no deadline of 2 × --registry-timeout", errOut)
	}
	if elapsed > 2*timeout+3*time.Second {
		t.Errorf("took %s", elapsed)
	}
}

//go:build integration

package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestDockvetImage is `make image IMAGE=...` end to end: scripts/image
// builds dockvet's own image (both platforms, real binaries), writes it as
// an OCI layout and pushes it to the loopback registry with the Docker
// credential chain; a second build gives the same digest; and `dockvet
// image --deep` reports nothing on it, from the registry (both platforms)
// and from the layout.
func TestDockvetImage(t *testing.T) {
	hh := h(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ref := hh.ref("dockvet/dockvet:test")
	build := func(out string, push bool) string {
		t.Helper()
		args := []string{"run", "./scripts/image", "-out", out, "-version", "v0.0.0-test"}
		if push {
			args = append(args, "-push", ref)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+hh.caFile, "DOCKER_CONFIG="+hh.goodConfig, "IMAGE=")
		out2, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out2)
		}
		m := regexp.MustCompile(`sha256:[0-9a-f]{64}`).Find(out2)
		if m == nil {
			t.Fatalf("scripts/image printed no digest:\n%s", out2)
		}
		if push && !strings.Contains(string(out2), "pushed "+hh.host+"/dockvet/dockvet@"+string(m)) {
			t.Fatalf("scripts/image did not say it pushed:\n%s", out2)
		}
		return string(m)
	}
	layoutDir := filepath.Join(t.TempDir(), "image")
	digest := build(layoutDir, true)
	if again := build(filepath.Join(t.TempDir(), "again"), false); again != digest {
		t.Errorf("two builds of one commit: %s and %s", digest, again)
	}

	// The registry holds an index of linux/amd64 and linux/arm64.
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(r, hh.remoteOpts(t.Context(), &authn.Basic{Username: registryUser, Password: hh.pass})...)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := idx.Digest(); d.String() != digest {
		t.Errorf("the registry's index is %s, scripts/image built %s", d, digest)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var plats []string
	for _, m := range im.Manifests {
		plats = append(plats, m.Platform.String())
	}
	if strings.Join(plats, " ") != "linux/amd64 linux/arm64/v8" {
		t.Errorf("platforms %v", plats)
	}

	for _, args := range [][]string{
		{"image", "--deep", "-f", "json", ref},
		{"image", "--deep", "-f", "json", "--platform", "linux/arm64", ref},
		{"image", "--deep", "-f", "json", "oci-layout:" + layoutDir + ":v0.0.0-test"},
	} {
		res := hh.dockvet(t, runOpts{dir: t.TempDir()}, args...)
		rep := parseReport(t, res)
		if res.code != 0 || len(rep.Findings) != 0 {
			t.Errorf("dockvet %s: want no finding\n%s", strings.Join(args, " "), res)
		}
	}
}

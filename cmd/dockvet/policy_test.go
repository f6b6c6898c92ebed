package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dockvet/dockvet/internal/imagesrc/imagesrctest"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

// TestPolicyConfigKeys: trusted-registries and label-schema in the config
// turn DV204 and DV600 on and reach the rules; an ignore in the same file
// still wins; without the keys the rules stay off.
func TestPolicyConfigKeys(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM quay.io/org/app:1.0\nLABEL org.opencontainers.image.version=latest\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	policy := "trusted-registries: [docker.io, '*.corp.example']\nlabel-schema: {org.opencontainers.image.version: semver}\n"
	tests := []struct {
		name, config   string
		want, unwanted []string
	}{
		{"keys turn the rules on", policy,
			[]string{"1:6: warning: FROM quay.io/org/app:1.0 pulls from quay.io, which is not in trusted-registries (docker.io, *.corp.example) [DV204]",
				`2:7: warning: label org.opencontainers.image.version="latest" is not a semantic version`},
			nil},
		{"ignore still wins", policy + "ignore: [untrusted-registry]\n", []string{"[DV600]"}, []string{"[DV204]"}},
		{"no keys, no findings", "fail-on: warning\n", nil, []string{"[DV204]", "[DV600]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "dockvet.yaml")
			if err := os.WriteFile(cfg, []byte(tt.config), 0o644); err != nil {
				t.Fatal(err)
			}
			_, out, errOut := runCLI(t, "", "lint", "-f", "gnu", "--config", cfg, df)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s%s", w, out, errOut)
				}
			}
			for _, u := range tt.unwanted {
				if strings.Contains(out, u) {
					t.Errorf("output has %q:\n%s", u, out)
				}
			}
		})
	}
}

// TestPolicyConfigImage: dockvet image checks the config's labels against
// label-schema.
func TestPolicyConfigImage(t *testing.T) {
	dir := t.TempDir()
	img := registrytest.Image(t, cleanSpec())
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config.Labels = map[string]string{"org.opencontainers.image.version": "main", "org.opencontainers.image.source": "https://example.com/app"}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	imagesrctest.WriteLayout(t, filepath.Join(dir, "app"), imagesrctest.Entry{Image: img, Tag: "v1"})
	cfg := filepath.Join(dir, "dockvet.yaml")
	if err := os.WriteFile(cfg, []byte("label-schema: {org.opencontainers.image.version: semver, org.opencontainers.image.source: url}\nstrict-labels: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, errOut := runCLI(t, "", "image", "-f", "gnu", "--config", cfg, "oci-layout:"+filepath.Join(dir, "app")+":v1")
	want := `label org.opencontainers.image.version="main" is not a semantic version`
	if !strings.Contains(out, want) || strings.Count(out, "[DV600]") != 1 {
		t.Errorf("want exactly one DV600 finding containing %q:\n%s%s", want, out, errOut)
	}
}

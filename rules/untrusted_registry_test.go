package rules

import (
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestUntrustedRegistry(t *testing.T) {
	trusted := []string{"docker.io", "ghcr.io", "*.corp.example", "registry.local:5000", "mirror.internal"}
	tests := []struct {
		name    string
		src     string
		opts    dockerfile.Options
		trusted []string
		want    []string // "line:col-line:col" positions
		msg     string
	}{
		{"Docker Hub short name is docker.io", "FROM node:22\n", dockerfile.Options{}, trusted, nil, ""},
		{"Docker Hub user image", "FROM bitnami/redis:7\n", dockerfile.Options{}, trusted, nil, ""},
		{"index.docker.io is docker.io", "FROM index.docker.io/library/node:22\n", dockerfile.Options{}, trusted, nil, ""},
		{"Docker Hub not trusted", "FROM node:22\n", dockerfile.Options{}, []string{"ghcr.io"},
			[]string{"1:6-1:13"}, "FROM node:22 pulls from docker.io, which is not in trusted-registries (ghcr.io)"},
		{"trusted host", "FROM ghcr.io/org/app:1\n", dockerfile.Options{}, trusted, nil, ""},
		{"host case ignored", "FROM GHCR.io/org/app:1\n", dockerfile.Options{}, trusted, nil, ""},
		{"other registry", "FROM quay.io/org/app:1\n", dockerfile.Options{}, trusted,
			[]string{"1:6-1:23"}, "FROM quay.io/org/app:1 pulls from quay.io, which is not in trusted-registries"},
		{"wildcard subdomain", "FROM a.corp.example/app:1\nFROM x.b.corp.example/app:1\n", dockerfile.Options{}, trusted, nil, ""},
		{"wildcard is not the domain itself", "FROM corp.example/app:1\n", dockerfile.Options{}, trusted,
			[]string{"1:6-1:24"}, "pulls from corp.example"},
		{"wildcard needs a dot boundary", "FROM evilcorp.example/app:1\n", dockerfile.Options{}, trusted,
			[]string{"1:6-1:28"}, "pulls from evilcorp.example"},
		{"port listed", "FROM registry.local:5000/app:1\n", dockerfile.Options{}, trusted, nil, ""},
		{"other port of a listed host:port", "FROM registry.local:6000/app:1\n", dockerfile.Options{}, trusted,
			[]string{"1:6-1:31"}, "pulls from registry.local:6000"},
		{"host without port trusts every port", "FROM mirror.internal:8443/app:1\n", dockerfile.Options{}, trusted, nil, ""},
		{"COPY --from and RUN --mount from", "FROM ghcr.io/org/base:1\nCOPY --from=quay.io/x/tool:1 /t /t\nRUN --mount=from=gcr.io/y/z:2,target=/m true\n",
			dockerfile.Options{}, trusted, []string{"2:13-2:29", "3:18-3:30"}, "COPY --from quay.io/x/tool:1 pulls from quay.io"},
		{"stages and scratch are not images", "FROM scratch AS s\nFROM ghcr.io/o/b:1 AS b\nCOPY --from=s / /\nFROM b\nCOPY --from=0 / /\n",
			dockerfile.Options{}, []string{"ghcr.io"}, nil, ""},
		{"ARG expanded", "ARG REG=quay.io\nFROM $REG/app:1\n", dockerfile.Options{}, trusted,
			[]string{"2:6-2:16"}, "FROM $REG/app:1 (quay.io/app:1) pulls from quay.io"},
		{"build arg overrides", "ARG REG=quay.io\nFROM $REG/app:1\n", dockerfile.Options{BuildArgs: map[string]string{"REG": "ghcr.io"}}, trusted, nil, ""},
		{"unresolved variable left to DV202", "ARG REG\nFROM $REG/app:1\n", dockerfile.Options{}, trusted, nil, ""},
		{"no setting, no finding", "FROM quay.io/org/app:1\n", dockerfile.Options{}, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.RunEnv(t, UntrustedRegistry, tt.src, tt.opts, ruletest.Env{Limits: rule.Limits{TrustedRegistries: tt.trusted}})
			checkPositions(t, ruletest.Positions(ds), tt.want, ds)
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

func TestUntrustedRegistryImage(t *testing.T) {
	limits := rule.Limits{TrustedRegistries: []string{"docker.io", "*.corp.example"}}
	tests := []struct {
		name, ref string
		want      []string
	}{
		{"Docker Hub short name", "nginx:1.27", nil},
		{"docker:// prefix", "docker://ghcr.io/org/app:1", []string{"0:0-0:0 image ghcr.io/org/app:1 comes from ghcr.io, which is not in trusted-registries (docker.io, *.corp.example)"}},
		{"wildcard", "r.corp.example/app:1", nil},
		{"OCI layout is local", "oci-layout:out:1", nil},
		{"docker archive is local", "docker-archive:app.tar", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLines(t, runImageLimits(t, UntrustedRegistry, testImage(tt.ref, nil, debianBase...), limits), tt.want)
		})
	}
}

func checkPositions(t *testing.T, got, want []string, ds []rule.Diagnostic) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("positions %v, want %v: %v", got, want, ruletest.Lines(ds))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("positions %v, want %v", got, want)
			return
		}
	}
}

package rules

import (
	"testing"

	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

var ociSchema = []rule.LabelField{
	{Name: "org.opencontainers.image.source", Type: "url"},
	{Name: "org.opencontainers.image.version", Type: "semver"},
}

func TestLabelSchema(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		opts   dockerfile.Options
		schema []rule.LabelField
		strict bool
		want   []string // positions
		msg    string   // part of the first message
	}{
		{"all present and valid", "FROM alpine:3.20\nLABEL org.opencontainers.image.source=https://github.com/o/a org.opencontainers.image.version=1.2.3\n",
			dockerfile.Options{}, ociSchema, false, nil, ""},
		{"both missing: one finding on the final FROM", "FROM alpine:3.20 AS build\nLABEL org.opencontainers.image.version=1.0.0\nFROM alpine:3.20\nLABEL other=x\n",
			dockerfile.Options{}, ociSchema, false, []string{"3:1-3:17"},
			"the final image has no label org.opencontainers.image.source (url) and org.opencontainers.image.version (semver), which label-schema requires"},
		{"label from the parent stage counts", "FROM alpine:3.20 AS base\nLABEL org.opencontainers.image.source=https://x.example/a\nFROM base\nLABEL org.opencontainers.image.version=v2.0.0\n",
			dockerfile.Options{}, ociSchema, false, nil, ""},
		{"target stage decides", "FROM alpine:3.20 AS app\nLABEL org.opencontainers.image.source=https://x.example/a org.opencontainers.image.version=1.0.0\nFROM alpine:3.20 AS other\n",
			dockerfile.Options{Target: "app"}, ociSchema, false, nil, ""},
		{"bad url and semver", "FROM alpine:3.20\nLABEL org.opencontainers.image.source=github.com/o/a \\\n      org.opencontainers.image.version=latest\n",
			dockerfile.Options{}, ociSchema, false, []string{"2:7-2:53", "3:7-3:46"},
			`label org.opencontainers.image.source="github.com/o/a" is not an absolute URL`},
		{"semver shorthand is not a version", "FROM alpine:3.20\nLABEL org.opencontainers.image.version=1.2\n",
			dockerfile.Options{}, ociSchema[1:], false, []string{"2:7-2:43"}, "is not a semantic version"},
		{"ARG expanded", "FROM alpine:3.20\nARG VERSION=1.4.2-rc.1+build.5\nLABEL org.opencontainers.image.version=$VERSION\n",
			dockerfile.Options{}, ociSchema[1:], false, nil, ""},
		{"ENV expanded, bad value", "FROM alpine:3.20\nENV VERSION=nightly\nLABEL org.opencontainers.image.version=\"${VERSION}\"\n",
			dockerfile.Options{}, ociSchema[1:], false, []string{"3:7-3:52"}, `label org.opencontainers.image.version="nightly" is not a semantic version`},
		{"build arg decides", "FROM alpine:3.20\nARG VERSION=dev\nLABEL org.opencontainers.image.version=$VERSION\n",
			dockerfile.Options{BuildArgs: map[string]string{"VERSION": "3.0.0"}}, ociSchema[1:], false, nil, ""},
		{"variable without a value is not judged", "FROM alpine:3.20\nARG VERSION\nLABEL org.opencontainers.image.version=$VERSION\n",
			dockerfile.Options{}, ociSchema[1:], false, nil, ""},
		{"later LABEL replaces", "FROM alpine:3.20\nLABEL org.opencontainers.image.version=dev\nLABEL org.opencontainers.image.version=1.0.0\n",
			dockerfile.Options{}, ociSchema[1:], false, nil, ""},
		{"legacy form", "FROM alpine:3.20\nLABEL org.opencontainers.image.version not-a-version\n",
			dockerfile.Options{}, ociSchema[1:], false, []string{"2:7-2:53"}, `="not-a-version" is not a semantic version`},
		{"quoted key", "FROM alpine:3.20\nLABEL \"org.opencontainers.image.version\"=\"1.0.0\"\n",
			dockerfile.Options{}, ociSchema[1:], false, nil, ""},
		{"strict: extra labels", "FROM alpine:3.20\nLABEL org.opencontainers.image.version=1.0.0 maintainer=me\n",
			dockerfile.Options{}, ociSchema[1:], true, []string{"2:46-2:59"}, "label maintainer is not in label-schema (strict-labels is on)"},
		{"not strict: extra labels fine", "FROM alpine:3.20\nLABEL org.opencontainers.image.version=1.0.0 maintainer=me\n",
			dockerfile.Options{}, ociSchema[1:], false, nil, ""},
		{"no schema, no finding", "FROM alpine:3.20\n", dockerfile.Options{}, nil, true, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.RunEnv(t, LabelSchema, tt.src, tt.opts, ruletest.Env{Limits: rule.Limits{LabelSchema: tt.schema, StrictLabels: tt.strict}})
			checkPositions(t, ruletest.Positions(ds), tt.want, ds)
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

func TestLabelTypes(t *testing.T) {
	tests := []struct {
		typ, value string
		ok         bool
	}{
		{"text", "anything at all", true},
		{"text", "  ", false},
		{"url", "https://github.com/org/app", true},
		{"url", "git@github.com:org/app.git", false},
		{"url", "/relative/path", false},
		{"semver", "1.2.3", true},
		{"semver", "v1.2.3", true},
		{"semver", "1.2.3-rc.1+build.7", true},
		{"semver", "1.2", false},
		{"semver", "v1", false},
		{"semver", "01.2.3", false},
		{"semver", "vv1.2.3", false},
		{"semver", "latest", false},
		{"rfc3339", "2024-05-01T12:00:00Z", true},
		{"rfc3339", "2024-05-01T12:00:00.123+02:00", true},
		{"rfc3339", "2024-05-01", false},
		{"rfc3339", "May 1 2024", false},
		{"hash", "0123456789abcdef0123456789abcdef01234567", true},
		{"hash", "sha256:" + sha, true},
		{"hash", sha, true},
		{"hash", "0123456", false},
		{"hash", "sha256:0123", false},
		{"hash", "md5:0123456789abcdef0123456789abcdef", false},
		{"hash", "g123456789abcdef0123456789abcdef01234567", false},
		{"spdx", "MIT", true},
		{"spdx", "Apache-2.0 OR MIT", true},
		{"spdx", "GPL-2.0-only WITH Classpath-exception-2.0", true},
		{"spdx", "MIT-ish", false},
		{"spdx", "Apache 2", false},
		{"spdx", "", false},
		{"email", "team@example.com", true},
		{"email", "Team <team@example.com>", true},
		{"email", "team at example.com", false},
	}
	for _, tt := range tests {
		if why := labelTypeProblem(tt.typ, tt.value); (why == "") != tt.ok {
			t.Errorf("labelTypeProblem(%s, %q) = %q, want ok=%v", tt.typ, tt.value, why, tt.ok)
		}
	}
}

func TestLabelSchemaImage(t *testing.T) {
	withLabels := func(labels map[string]string) func(*image.Image) {
		return func(img *image.Image) { img.Labels = labels }
	}
	tests := []struct {
		name   string
		labels map[string]string
		strict bool
		want   []string
	}{
		{"valid", map[string]string{"org.opencontainers.image.source": "https://x.example/a", "org.opencontainers.image.version": "1.0.0"}, false, nil},
		{"no labels", nil, false, []string{"0:0-0:0 the image has no label org.opencontainers.image.source (url) and org.opencontainers.image.version (semver), which label-schema requires"}},
		{"bad value and extra label, strict", map[string]string{"org.opencontainers.image.source": "https://x.example/a", "org.opencontainers.image.version": "main", "b": "1", "a": "2"}, true,
			[]string{`0:0-0:0 label org.opencontainers.image.version="main" is not a semantic version`, "0:0-0:0 label a is not in label-schema", "0:0-0:0 label b is not in label-schema"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := testImage("app:1", withLabels(tt.labels), debianBase...)
			checkLines(t, runImageLimits(t, LabelSchema, img, rule.Limits{LabelSchema: ociSchema, StrictLabels: tt.strict}), tt.want)
		})
	}
}

// Every type the config accepts must be checked: an unhandled type would
// accept any value.
func TestLabelTypesCoverConfig(t *testing.T) {
	for _, typ := range config.LabelTypes {
		if labelTypeProblem(typ, " ") == "" {
			t.Errorf("label type %q accepts a blank value: is it checked at all?", typ)
		}
	}
}

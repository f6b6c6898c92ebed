package rules

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

// referenceCheckingBases answers base-image lookups as the registry resolver
// does for a reference it cannot parse (a bad reference), and with a plain
// linux image for every valid one.
func referenceCheckingBases(ref string) (*image.Image, error) {
	if _, err := name.ParseReference(ref); err != nil {
		return nil, &registry.Error{Ref: ref, Reason: registry.ReasonBadReference, Detail: err.Error()}
	}
	return &image.Image{Ref: ref, OS: "linux", User: "1000"}, nil
}

// TestQuotedArgValues: ARG and ENV values are expanded as BuildKit's shell
// lexer does, quotes removed even without a '$' (issue 7, item 2). Before,
// `ARG VERSION="latest"` made the reference busybox:"latest" (a bad
// reference, DV001, and no DV200), `ARG DEBUG=""` made FROM scratch${DEBUG}
// an untagged image `scratch""` (DV201), and `ARG DATA="/data"` hid DV101.
func TestQuotedArgValues(t *testing.T) {
	tests := []struct {
		name     string
		rule     *rule.Rule
		src      string
		opts     dockerfile.Options
		want     []string // "line:col-line:col substring of the message"
		wantNone string   // no finding's message may contain this
	}{
		{"DV200 through a double-quoted ARG", LatestTag,
			"ARG VERSION=\"latest\"\nFROM busybox:${VERSION}\nUSER 1000\n", dockerfile.Options{},
			[]string{"2:6-2:24 FROM busybox:${VERSION} expands to busybox:latest"}, ""},
		{"no bad-reference DV001 through a quoted ARG", BaseImageUnresolved,
			"ARG VERSION=\"latest\"\nFROM busybox:${VERSION}\nUSER 1000\n", dockerfile.Options{},
			nil, "bad reference"},
		{"a quoted --build-arg stays literal, as BuildKit keeps it", BaseImageUnresolved,
			"ARG VERSION=1\nFROM busybox:${VERSION}\nUSER 1000\n", dockerfile.Options{BuildArgs: map[string]string{"VERSION": `"latest"`}},
			[]string{`2:6-2:24 base image busybox:"latest" was not checked (bad reference`}, ""},
		{"no DV201 for FROM scratch with an empty quoted ARG", UntaggedImage,
			"ARG DEBUG=\"\"\nFROM scratch${DEBUG}\nCOPY app /app\n", dockerfile.Options{},
			nil, ""},
		{"no DV001 for FROM scratch with an empty quoted ARG", BaseImageUnresolved,
			"ARG DEBUG=\"\"\nFROM scratch${DEBUG}\nCOPY app /app\n", dockerfile.Options{},
			nil, ""},
		{"DV201 still fires for an untagged image through a quoted ARG", UntaggedImage,
			"ARG IMG=\"busybox\"\nFROM ${IMG}\nUSER 1000\n", dockerfile.Options{},
			[]string{"2:6-2:12 FROM ${IMG} (busybox) has no tag"}, ""},
		{"DV101 through a double-quoted ARG", VolumeOverImageData,
			"FROM alpine:3.20\nARG DATA=\"/data\"\nCOPY seed.db ${DATA}/\nVOLUME ${DATA}\n", dockerfile.Options{},
			[]string{"4:8-4:15 VOLUME /data covers data this image adds"}, ""},
		{"DV101 through a quoted ENV in the legacy form", VolumeOverImageData,
			"FROM alpine:3.20\nENV DATA '/srv/data'\nCOPY seed.db $DATA/seed.db\nVOLUME $DATA\n", dockerfile.Options{},
			[]string{"4:8-4:13 VOLUME /srv/data covers data this image adds"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.RunEnv(t, tt.rule, tt.src, tt.opts, ruletest.Env{Bases: referenceCheckingBases})
			got := ruletest.Lines(ds)
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i, w := range tt.want {
				pos, msg, _ := strings.Cut(w, " ")
				if !strings.HasPrefix(got[i], pos+" ") || !strings.Contains(got[i], msg) {
					t.Errorf("finding %d = %q, want %q", i, got[i], w)
				}
			}
			for _, g := range got {
				if tt.wantNone != "" && strings.Contains(g, tt.wantNone) {
					t.Errorf("finding %q mentions %q", g, tt.wantNone)
				}
			}
		})
	}
}

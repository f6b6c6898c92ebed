package rules

import (
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

// baseImages answers base-image lookups from a table; a missing reference is
// "not found".
func baseImages(imgs map[string]*image.Image) func(string) (*image.Image, error) {
	return func(ref string) (*image.Image, error) {
		if img, ok := imgs[ref]; ok {
			return img, nil
		}
		return nil, &registry.Error{Ref: ref, Reason: registry.ReasonNotFound, Detail: "MANIFEST_UNKNOWN"}
	}
}

var testBases = map[string]*image.Image{
	"postgres:16":    {Ref: "postgres:16", OS: "linux", User: "", Volumes: []string{"/var/lib/postgresql/data"}, Cmd: []string{"postgres"}, Entrypoint: []string{"docker-entrypoint.sh"}},
	"distroless:1":   {Ref: "distroless:1", OS: "linux", User: "65532", Cmd: []string{"/app"}},
	"rootgroup:1":    {Ref: "rootgroup:1", OS: "linux", User: "0:0"},
	"appuser:1":      {Ref: "appuser:1", OS: "linux", User: "app"},
	"shellcmd:1":     {Ref: "shellcmd:1", OS: "linux", User: "1000", Cmd: []string{"/bin/sh", "-c", "npm start"}},
	"shellentry:1":   {Ref: "shellentry:1", OS: "linux", User: "1000", Entrypoint: []string{"/bin/sh", "-c", "exec-less start"}, Cmd: []string{"/bin/sh", "-c", "x"}},
	"windows:ltsc":   {Ref: "windows:ltsc", OS: "windows", User: "", Cmd: []string{"cmd", "/S", "/C", "x"}},
	"twovolumes:1.0": {Ref: "twovolumes:1.0", OS: "linux", User: "1", Volumes: []string{"/data", "/logs"}},
}

func TestBaseImageRules(t *testing.T) {
	tests := []struct {
		name string
		rule *rule.Rule
		src  string
		opts dockerfile.Options
		want []string // "line:col-line:col substring-of-message"
	}{
		// DV102
		{"DV102 one per volume", InheritedVolume, "FROM twovolumes:1.0\nUSER 1\n", dockerfile.Options{}, []string{"1:6-1:20 VOLUME /data", "1:6-1:20 VOLUME /logs"}},
		{"DV102 through a stage chain", InheritedVolume, "FROM postgres:16 AS db\nFROM db\n", dockerfile.Options{}, []string{"1:6-1:17 VOLUME /var/lib/postgresql/data"}},
		{"DV102 builder stage base is not shipped", InheritedVolume, "FROM postgres:16 AS seed\nRUN true\nFROM distroless:1\nCOPY --from=seed /x /x\n", dockerfile.Options{}, nil},
		{"DV102 base without volumes", InheritedVolume, "FROM distroless:1\n", dockerfile.Options{}, nil},
		{"DV102 unknown base is silent", InheritedVolume, "FROM nothere:1\n", dockerfile.Options{}, nil},
		{"DV102 ARG-expanded base", InheritedVolume, "ARG V=16\nFROM postgres:${V}\n", dockerfile.Options{}, []string{"2:6-2:19 base image postgres:16 declares VOLUME"}},
		// DV101 with inherited volumes
		{"DV101 COPY into an inherited volume", VolumeOverImageData, "FROM postgres:16\nCOPY seed/ /var/lib/postgresql/data\n", dockerfile.Options{}, []string{"1:6-1:17 base image postgres:16 declares VOLUME /var/lib/postgresql/data and this image adds data there (line 2"}},
		{"DV101 inherited volume through a parent stage", VolumeOverImageData, "FROM postgres:16 AS db\nFROM db\nCOPY seed/ /var/lib/postgresql/data\n", dockerfile.Options{}, []string{"1:6-1:17 base image postgres:16 declares VOLUME /var/lib/postgresql/data and this image adds data there (line 3"}},
		{"DV101 COPY beside an inherited volume", VolumeOverImageData, "FROM postgres:16\nCOPY seed/ /docker-entrypoint-initdb.d/\n", dockerfile.Options{}, nil},
		{"DV101 own volume reported once", VolumeOverImageData, "FROM postgres:16\nCOPY x /var/lib/postgresql/data/x\nVOLUME /var/lib/postgresql/data\n", dockerfile.Options{}, []string{"3:8-3:32 VOLUME /var/lib/postgresql/data covers"}},
		// DV302
		{"DV302 base runs as root", RootUser, "FROM postgres:16\n", dockerfile.Options{}, []string{"1:6-1:17 base image postgres:16 runs as root"}},
		{"DV302 base root with group", RootUser, "FROM rootgroup:1\n", dockerfile.Options{}, []string{"1:6-1:17 runs as root (its config user: 0:0)"}},
		{"DV302 base sets a uid", RootUser, "FROM distroless:1\n", dockerfile.Options{}, nil},
		{"DV302 base sets a name", RootUser, "FROM appuser:1\n", dockerfile.Options{}, nil},
		{"DV302 explicit USER wins over base", RootUser, "FROM distroless:1\nUSER root\n", dockerfile.Options{}, []string{"2:6-2:10 USER root"}},
		{"DV302 unknown base says so", RootUser, "FROM nothere:1\n", dockerfile.Options{}, []string{"1:6-1:15 unless base image nothere:1 sets a user (its config could not be read, see DV001)"}},
		{"DV302 windows base", RootUser, "FROM windows:ltsc\n", dockerfile.Options{}, nil},
		// DV300 / DV301 inherited
		{"DV300 inherited shell-form CMD", ShellFormCmd, "FROM shellcmd:1\nCOPY . /app\n", dockerfile.Options{}, []string{`1:6-1:16 inherits base image shellcmd:1's shell-form CMD ["/bin/sh","-c","npm start"]`}},
		{"DV300 own CMD overrides", ShellFormCmd, "FROM shellcmd:1\nCMD [\"node\", \"a.js\"]\n", dockerfile.Options{}, nil},
		{"DV300 own exec ENTRYPOINT resets CMD", ShellFormCmd, "FROM shellcmd:1\nENTRYPOINT [\"node\"]\n", dockerfile.Options{}, nil},
		{"DV300 exec CMD in base", ShellFormCmd, "FROM distroless:1\n", dockerfile.Options{}, nil},
		{"DV300 left to DV301 when the base ENTRYPOINT is shell form", ShellFormCmd, "FROM shellentry:1\n", dockerfile.Options{}, nil},
		{"DV301 inherited shell-form ENTRYPOINT", ShellFormEntrypoint, "FROM shellentry:1\nCMD [\"x\"]\n", dockerfile.Options{}, []string{"1:6-1:18 inherits base image shellentry:1's shell-form ENTRYPOINT"}},
		{"DV301 own ENTRYPOINT overrides", ShellFormEntrypoint, "FROM shellentry:1\nENTRYPOINT [\"x\"]\n", dockerfile.Options{}, nil},
		// DV001
		{"DV001 not found", BaseImageUnresolved, "FROM nothere:1\n", dockerfile.Options{}, []string{"1:6-1:15 base image nothere:1 was not checked (not found: MANIFEST_UNKNOWN)"}},
		{"DV001 resolved", BaseImageUnresolved, "FROM postgres:16\n", dockerfile.Options{}, nil},
		{"DV001 scratch", BaseImageUnresolved, "FROM scratch\nCOPY x /x\n", dockerfile.Options{}, nil},
		{"DV001 unresolved variable is DV202's", BaseImageUnresolved, "ARG IMG\nFROM ${IMG}\n", dockerfile.Options{}, nil},
		{"DV001 only the final chain", BaseImageUnresolved, "FROM nothere:1 AS build\nFROM postgres:16\n", dockerfile.Options{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.RunBases(t, tt.rule, tt.src, tt.opts, baseImages(testBases))
			got := ruletest.Lines(ds)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings %q, want %d %q", len(got), got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				pos, msg, _ := strings.Cut(w, " ")
				if !strings.HasPrefix(got[i], pos+" ") || !strings.Contains(got[i], msg) {
					t.Errorf("finding %d = %q, want %s containing %q", i, got[i], pos, msg)
				}
			}
		})
	}
}

// Without a lookup (no resolver), base-image rules keep their Dockerfile-only
// behaviour.
func TestBaseImageRulesWithoutLookup(t *testing.T) {
	for _, r := range []*rule.Rule{InheritedVolume, BaseImageUnresolved} {
		if got := ruletest.Run(t, r, "FROM postgres:16\n", dockerfile.Options{}); len(got) != 0 {
			t.Errorf("%s: %v", r.ID, ruletest.Lines(got))
		}
	}
	got := ruletest.Lines(ruletest.Run(t, RootUser, "FROM postgres:16\n", dockerfile.Options{}))
	if len(got) != 1 || !strings.Contains(got[0], "base images are not checked") {
		t.Errorf("DV302: %q", got)
	}
}

// offlineBases answers every lookup as an offline run does for a base that
// is not in the cache.
func offlineBases(ref string) (*image.Image, error) {
	return nil, &registry.Error{Ref: ref, Reason: registry.ReasonOffline}
}

// A base the rules could not read: DV302 still fires, but capped at info (a
// rule that cannot be sure does not fail a build), and DV001 is silent when
// the run is offline by choice (the CLI says so once on stderr).
func TestUnknownBaseSeverityAndOffline(t *testing.T) {
	notFound := baseImages(testBases)
	tests := []struct {
		name    string
		rule    *rule.Rule
		bases   func(string) (*image.Image, error)
		want    int
		maxSev  finding.Severity
		message string
	}{
		{"DV302 not found is info", RootUser, notFound, 1, finding.SeverityInfo, "see DV001"},
		{"DV302 offline is info", RootUser, offlineBases, 1, finding.SeverityInfo, "offline, and it is not in the cache"},
		{"DV001 not found", BaseImageUnresolved, notFound, 1, finding.SeverityNone, "not found"},
		{"DV001 offline by choice is silent", BaseImageUnresolved, offlineBases, 0, finding.SeverityNone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.RunBases(t, tt.rule, "FROM nothere:1\nCMD [\"x\"]\n", dockerfile.Options{}, tt.bases)
			if len(ds) != tt.want {
				t.Fatalf("got %q, want %d findings", ruletest.Lines(ds), tt.want)
			}
			for _, d := range ds {
				if d.MaxSeverity != tt.maxSev || !strings.Contains(d.Message, tt.message) {
					t.Errorf("got %q capped at %v, want %q capped at %v", d.Message, d.MaxSeverity, tt.message, tt.maxSev)
				}
			}
		})
	}
	// A known root base stays a warning.
	ds := ruletest.RunBases(t, RootUser, "FROM postgres:16\n", dockerfile.Options{}, notFound)
	if len(ds) != 1 || ds[0].MaxSeverity != finding.SeverityNone {
		t.Errorf("known root base: %+v", ds)
	}
}

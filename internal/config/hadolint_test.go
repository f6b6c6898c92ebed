package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
)

// existing stands for the rule registry: the DV rules the tests need.
func existing(id string) bool {
	return slices.Contains([]string{"DV200", "DV201", "DV300", "DV301", "DV302", "DV400", "DV401", "DV403"}, id)
}

func refNames(refs []RuleRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Name)
	}
	return out
}

// Every key of the spec's table, one case each.
func TestHadolintConfig(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		ignore   []string
		severity []string // "DV200=error"
		failOn   finding.Severity
		failSet  bool
		notes    []string // substrings, one per note
	}{
		{name: "empty", yaml: "", failOn: finding.SeverityWarning},
		{name: "ignored maps codes, drops unmapped ones, dedupes targets",
			yaml:   "ignored:\n  - DL3007\n  - DL3025\n  - DL3008\n  - SC2086\n  - DL3019\n  - DL3042\n  - DL3026\n",
			ignore: []string{"DV200", "DV300", "DV301", "DV403"}, failOn: finding.SeverityWarning},
		{name: "override levels, style is info",
			yaml:     "override:\n  error: [DL3006]\n  warning: [DL3002]\n  info: [DL3009]\n  style: [DL3007]\n",
			severity: []string{"DV201=error", "DV302=warning", "DV400=info", "DV401=info", "DV200=info"}, failOn: finding.SeverityWarning},
		{name: "override: the most severe of several codes for one rule wins",
			yaml:     "override:\n  info: [DL3019]\n  error: [DL3042]\n  style: [DL3060]\n",
			severity: []string{"DV403=error"}, failOn: finding.SeverityWarning},
		{name: "failure-threshold error", yaml: "failure-threshold: error\n", failOn: finding.SeverityError, failSet: true},
		{name: "failure-threshold style is info", yaml: "failure-threshold: style\n", failOn: finding.SeverityInfo, failSet: true},
		{name: "failure-threshold none", yaml: "failure-threshold: none\n", failOn: finding.SeverityNone, failSet: true},
		{name: "no-fail", yaml: "failure-threshold: error\nno-fail: true\n", failOn: finding.SeverityNone, failSet: true},
		{name: "no-fail false changes nothing", yaml: "no-fail: false\n", failOn: finding.SeverityWarning},
		{name: "trusted registries and labels carried (checked below)",
			yaml:   "trustedRegistries: [docker.io, my.corp:5000]\nlabel-schema:\n  author: text\n  url: url\nstrict-labels: true\n",
			failOn: finding.SeverityWarning},
		{name: "a registry or label type dockvet refuses is left out with a note",
			yaml:   "trustedRegistries: [https://x.io]\nlabel-schema:\n  author: name\n",
			failOn: finding.SeverityWarning,
			notes:  []string{`trustedRegistries entry "https://x.io" is not a registry host`, `label-schema.author: unknown type "name"`}},
		{name: "other keys: one note naming them",
			yaml:   "format: json\nno-color: true\ndisable-ignore-pragma: false\nignored: [DL3007]\n",
			ignore: []string{"DV200"}, failOn: finding.SeverityWarning,
			notes: []string{"no dockvet equivalent, not used: format, no-color, disable-ignore-pragma"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseHadolint(".hadolint.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			cfg, notes := h.Config(existing)
			if got := refNames(cfg.Ignore); !slices.Equal(got, tt.ignore) {
				t.Errorf("ignore %v, want %v", got, tt.ignore)
			}
			var sev []string
			for _, o := range cfg.Severity {
				sev = append(sev, o.Rule.Name+"="+o.Level.String())
			}
			if !slices.Equal(sev, tt.severity) {
				t.Errorf("severity %v, want %v", sev, tt.severity)
			}
			if cfg.FailOn != tt.failOn || cfg.FailOnSet != tt.failSet {
				t.Errorf("fail-on %v (set %v), want %v (set %v)", cfg.FailOn, cfg.FailOnSet, tt.failOn, tt.failSet)
			}
			if len(notes) != len(tt.notes) {
				t.Fatalf("notes %q, want %d", notes, len(tt.notes))
			}
			for i, n := range tt.notes {
				if !strings.Contains(notes[i], n) {
					t.Errorf("note %q lacks %q", notes[i], n)
				}
			}
		})
	}
}

// TestHadolintPolicyKeysCarried: trustedRegistries, label-schema and
// strict-labels read from .hadolint.yaml turn on DV204 and DV600 as the
// dockvet keys do.
func TestHadolintPolicyKeysCarried(t *testing.T) {
	h, err := ParseHadolint(".hadolint.yaml", []byte("trustedRegistries: [Docker.io, my.corp:5000, \"*.corp.example\"]\nlabel-schema:\n  author: text\n  url: url\nstrict-labels: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, notes := h.Config(func(string) bool { return true })
	if len(notes) != 0 {
		t.Errorf("notes %q", notes)
	}
	if want := []string{"docker.io", "my.corp:5000", "*.corp.example"}; !slices.Equal(cfg.TrustedRegistries, want) {
		t.Errorf("trusted registries %v, want %v", cfg.TrustedRegistries, want)
	}
	var labels []string
	for _, l := range cfg.LabelSchema {
		labels = append(labels, l.Name+":"+l.Type)
	}
	if want := []string{"author:text", "url:url"}; !slices.Equal(labels, want) {
		t.Errorf("label schema %v, want %v", labels, want)
	}
	if !cfg.StrictLabels {
		t.Error("strict-labels not carried")
	}
}

func TestHadolintConfigKeepsPositions(t *testing.T) {
	h, err := ParseHadolint("h.yaml", []byte("ignored:\n  - DL3007\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := h.Config(existing)
	if len(cfg.Ignore) != 1 || cfg.Ignore[0].Line != 2 || cfg.Ignore[0].Column != 5 {
		t.Errorf("ignore %+v", cfg.Ignore)
	}
	if h.TrustedRegistries != nil || h.LabelSchema != nil {
		t.Errorf("unexpected %+v", h)
	}
}

func TestHadolintConfigParsesCarriedKeys(t *testing.T) {
	h, err := ParseHadolint("h.yaml", []byte("trustedRegistries: [docker.io]\nlabel-schema: {author: text, url: url}\nstrict-labels: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.TrustedRegistries, []string{"docker.io"}) ||
		!slices.Equal(h.LabelSchema, []LabelType{{"author", "text"}, {"url", "url"}}) || h.StrictLabels == nil || !*h.StrictLabels {
		t.Errorf("got %+v", h)
	}
}

func TestHadolintConfigErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"failure-threshold: loud\n", `h.yaml:1:20: failure-threshold: unknown hadolint severity "loud"`},
		{"override:\n  fatal: [DL3007]\n", `h.yaml:2:3: override: unknown hadolint severity "fatal"`},
		{"override: [DL3007]\n", "h.yaml:1:11: override: want a mapping"},
		{"ignored: DL3007\n", "h.yaml:1:10: ignored: want a list"},
		{"no-fail: yes please\n", "h.yaml:1:10: no-fail: want true or false"},
		{"- a\n", "h.yaml:1:1: hadolint config must be a mapping"},
		{"ignored: [\n", "h.yaml:"},
	}
	for _, tt := range tests {
		_, err := ParseHadolint("h.yaml", []byte(tt.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseHadolint(%q) = %v, want %q...", tt.yaml, err, tt.want)
		}
	}
}

func TestFindHadolint(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root, "repo/.git", "repo/a/b", "repo/c")
	touch(t, root, "repo/.hadolint.yaml", "repo/a/.hadolint.yml", "repo/c/.dockvet.yaml")
	tests := []struct{ start, dockvet, hadolint string }{
		{"repo/a/b", "", "repo/a/.hadolint.yml"},
		{"repo", "", "repo/.hadolint.yaml"},
		// FindHadolint itself looks only for hadolint names; callers try Find first.
		{"repo/c", "repo/c/.dockvet.yaml", "repo/.hadolint.yaml"},
	}
	for _, tt := range tests {
		join := func(rel string) string {
			if rel == "" {
				return ""
			}
			return filepath.Join(root, rel)
		}
		if got, err := Find(filepath.Join(root, tt.start)); err != nil || got != join(tt.dockvet) {
			t.Errorf("Find(%s) = %q, %v", tt.start, got, err)
		}
		if got, err := FindHadolint(filepath.Join(root, tt.start)); err != nil || got != join(tt.hadolint) {
			t.Errorf("FindHadolint(%s) = %q, %v", tt.start, got, err)
		}
	}
}

func TestLoadFoundHadolintLinks(t *testing.T) {
	base := t.TempDir()
	mkdirs(t, base, "repo/.git", "repo/svc")
	if err := os.WriteFile(filepath.Join(base, "secrets.env"), []byte("TOKEN=hunter2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "repo", ".hadolint.yaml"), []byte("ignored: [DL3007]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(base, "repo", "svc", ".hadolint.yml")
	if err := os.Symlink("../../secrets.env", out); err != nil {
		t.Fatal(err)
	}
	var lo *LinkOutsideError
	if _, err := LoadFoundHadolint(out); !errors.As(err, &lo) {
		t.Errorf("link out of the repository: %v", err)
	}
	in := filepath.Join(base, "repo", "svc", ".hadolint.yaml")
	if err := os.Symlink("../.hadolint.yaml", in); err != nil {
		t.Fatal(err)
	}
	if h, err := LoadFoundHadolint(in); err != nil || len(h.Ignored) != 1 {
		t.Errorf("link inside: %+v, %v", h, err)
	}
}

package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
)

func TestLoadFull(t *testing.T) {
	path := filepath.Join("testdata", "full.yaml")
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Path:      path,
		FailOn:    finding.SeverityError,
		FailOnSet: true,
		Ignore:    []RuleRef{{"DV203", 3, 10}, {"latest-tag", 3, 17}},
		Enable:    []RuleRef{{"DV203", 5, 5}},
		Severity: []SeverityOverride{
			{RuleRef{"DV100", 6, 12}, finding.SeverityError},
			{RuleRef{"root-user", 6, 26}, finding.SeverityInfo},
		},
		Target:             "runtime",
		Platform:           "linux/arm64",
		Offline:            true,
		MaxLayerSize:       128 << 20,
		MaxImageSize:       2e9,
		MaxWastedBytes:     1 << 20,
		InsecureRegistries: []string{"registry.local:5000"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load(%s) =\n%+v\nwant\n%+v", path, got, want)
	}
}

func TestLoadEmpty(t *testing.T) {
	for _, name := range []string{"empty.yaml", "comments-only.yaml"} {
		path := filepath.Join("testdata", name)
		got, err := Load(path)
		if err != nil {
			t.Fatalf("Load(%s): %v", path, err)
		}
		want := Default()
		want.Path = path
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Load(%s) = %+v, want defaults %+v", path, got, want)
		}
	}
}

func TestLoadUnknownKey(t *testing.T) {
	path := filepath.Join("testdata", "unknown-key.yaml")
	_, err := Load(path)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Load(%s) error = %v, want *Error", path, err)
	}
	if e.File != path || e.Line != 3 || e.Column != 1 || !strings.Contains(e.Msg, `"max-layer-sise"`) {
		t.Errorf("got %#v, want unknown key max-layer-sise at %s:3:1", e, path)
	}
	if prefix := path + ":3:1: unknown key"; !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("Error() = %q, want prefix %q", err.Error(), prefix)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), ".dockvet.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want fs.ErrNotExist", err)
	}
}

func TestParse(t *testing.T) {
	def := Default()
	tests := []struct {
		name  string
		input string
		check func(*Config) bool
	}{
		{"null values keep defaults", "fail-on:\nignore:\nplatform: ~\n",
			func(c *Config) bool { return !c.FailOnSet && c.Ignore == nil && c.Platform == def.Platform }},
		{"fail-on none", "fail-on: none", func(c *Config) bool { return c.FailOnSet && c.FailOn == finding.SeverityNone }},
		{"fail-on short form", "fail-on: warn", func(c *Config) bool { return c.FailOn == finding.SeverityWarning }},
		{"size as integer", "max-layer-size: 1024", func(c *Config) bool { return c.MaxLayerSize == 1024 }},
		{"size as quoted integer", `max-layer-size: "1024"`, func(c *Config) bool { return c.MaxLayerSize == 1024 }},
		{"size with space", "max-image-size: 1.5 GiB", func(c *Config) bool { return c.MaxImageSize == 3<<29 }},
		{"offline false", "offline: false", func(c *Config) bool { return !c.Offline }},
		{"rule name trimmed", "ignore: [' DV100 ']", func(c *Config) bool { return c.Ignore[0].Name == "DV100" }},
		{"alias", "x: &r [DV100]\n", nil}, // unknown key even with an anchor
		{"anchor reused", "ignore: &r [DV100]\nenable: *r\n",
			func(c *Config) bool { return len(c.Enable) == 1 && c.Enable[0].Name == "DV100" }},
		{"explicit document", "---\nfail-on: info\n...\n", func(c *Config) bool { return c.FailOn == finding.SeverityInfo }},
		{"null document", "~\n", func(c *Config) bool { return c.FailOn == def.FailOn }},
		{"trusted registries lower-cased, wildcard and port kept", "trusted-registries: [Docker.io, '*.Corp.example', 'registry.local:5000']",
			func(c *Config) bool {
				return slices.Equal(c.TrustedRegistries, []string{"docker.io", "*.corp.example", "registry.local:5000"})
			}},
		{"label schema in file order", "label-schema:\n  org.opencontainers.image.version: semver\n  org.opencontainers.image.source: url\nstrict-labels: true\n",
			func(c *Config) bool {
				return c.StrictLabels && slices.Equal(c.LabelSchema, []LabelField{
					{Name: "org.opencontainers.image.version", Type: "semver", Line: 2, Column: 3},
					{Name: "org.opencontainers.image.source", Type: "url", Line: 3, Column: 3},
				})
			}},
		{"strict-labels default false", "label-schema: {a: text}", func(c *Config) bool { return !c.StrictLabels && len(c.LabelSchema) == 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("c.yaml", []byte(tt.input))
			if tt.check == nil {
				if err == nil {
					t.Fatalf("Parse(%q) succeeded, want error", tt.input)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.input, err)
			}
			if !tt.check(got) {
				t.Errorf("Parse(%q) = %+v", tt.input, got)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name       string
		input      string
		line, col  int
		msgContain string
	}{
		{"unknown key", "fail-on: error\nfailon: error\n", 2, 1, `unknown key "failon"`},
		{"duplicate key", "fail-on: error\nignore: [DV1]\nfail-on: info\n", 3, 1, "duplicate key \"fail-on\" (first set at line 1)"},
		{"duplicate severity rule", "severity:\n  DV100: error\n  DV100: info\n", 3, 3, `duplicate rule "DV100"`},
		{"bad severity", "fail-on: fatal", 1, 10, `invalid severity "fatal"`},
		{"bad severity in map", "severity: {DV100: loud}", 1, 19, "severity.DV100"},
		{"severity not a map", "severity: [DV100]", 1, 11, "want a mapping"},
		{"fail-on not a string", "fail-on: [error]", 1, 10, "want a string, got a list"},
		{"ignore not a list", "ignore: DV100", 1, 9, `want a list, got "DV100"`},
		{"ignore item not a string", "ignore:\n  - DV100\n  - {a: b}\n", 3, 5, "want a string, got a mapping"},
		{"ignore item number", "ignore: [100]", 1, 10, "got number 100"},
		{"ignore empty name", "ignore: ['']", 1, 10, "must not be empty"},
		{"offline string", "offline: 'yes'", 1, 10, "want true or false"},
		{"offline number", "offline: 1", 1, 10, "want true or false"},
		{"target empty", "target: ''", 1, 9, "must not be empty"},
		{"platform bool", "platform: true", 1, 11, "want a string, got boolean true"},
		{"size garbage", "max-layer-size: lots", 1, 17, `invalid size "lots"`},
		{"size negative int", "max-layer-size: -5", 1, 17, "greater than zero"},
		{"size negative string", "max-layer-size: -5MiB", 1, 17, "invalid size"},
		{"size zero", "max-wasted-bytes: 0", 1, 19, "greater than zero"},
		{"size float", "max-image-size: 1.5", 1, 17, "want a size"},
		{"size list", "max-image-size: [1]", 1, 17, "want a size"},
		{"size overflow int", "max-image-size: 99999999999999999999", 1, 17, "max-image-size"},
		{"size overflow unit", "max-image-size: 9999999999TiB", 1, 17, "too large"},
		{"registries not list", "insecure-registries: r:5000", 1, 22, "want a list"},
		{"trusted registries not a list", "trusted-registries: docker.io", 1, 21, "trusted-registries: want a list"},
		{"trusted registry with scheme", "trusted-registries:\n  - docker.io\n  - https://ghcr.io\n", 3, 5, "without a scheme"},
		{"trusted registry with path", "trusted-registries: [ghcr.io/org]", 1, 22, "want a registry host"},
		{"trusted registry inner wildcard", "trusted-registries: ['a.*.example']", 1, 22, "want a registry host"},
		{"label schema not a mapping", "label-schema: [url]", 1, 15, "label-schema: want a mapping"},
		{"label schema unknown type", "label-schema:\n  a: url\n  b: number\n", 3, 6, `label-schema.b: unknown type "number"`},
		{"label schema type not a string", "label-schema: {a: [url]}", 1, 19, "want a string, got a list"},
		{"label schema duplicate label", "label-schema:\n  a: url\n  a: text\n", 3, 3, `duplicate label "a"`},
		{"strict-labels not a bool", "strict-labels: 'yes'", 1, 16, "strict-labels: want true or false"},
		{"top level list", "- fail-on: error\n", 1, 1, "must be a mapping"},
		{"top level scalar", "hello\n", 1, 1, "must be a mapping"},
		{"non-scalar key", "? [a]\n: b\n", 1, 3, "key must be a string"},
		{"syntax error", "fail-on: error\nignore: [DV100\n", 3, 1, "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts at 2:9)"},
		{"tab indentation", "severity:\n\tDV100: error\n", 2, 1, "invalid YAML: found character that cannot start any token"},
		{"two documents", "fail-on: error\n---\nfail-on: info\n", 2, 1, "single YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("dir/.dockvet.yaml", []byte(tt.input))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error", tt.input, cfg)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %T %v, want *Error", tt.input, err, err)
			}
			if e.File != "dir/.dockvet.yaml" || e.Line != tt.line || e.Column != tt.col || !strings.Contains(e.Msg, tt.msgContain) {
				t.Errorf("Parse(%q) error = %q (line %d col %d), want %d:%d containing %q",
					tt.input, err, e.Line, e.Column, tt.line, tt.col, tt.msgContain)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{"a.yaml", 3, 7, "bad"}, "a.yaml:3:7: bad"},
		{Error{"a.yaml", 3, 0, "bad"}, "a.yaml:3: bad"},
		{Error{"a.yaml", 0, 0, "bad"}, "a.yaml: bad"},
		{Error{"", 0, 0, "bad"}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"1024", 1024},
		{"12B", 12},
		{"512KiB", 512 << 10},
		{"256MiB", 256 << 20},
		{"1GiB", 1 << 30},
		{"2TiB", 2 << 40},
		{"50MB", 50e6},
		{"1.5GB", 1.5e9},
		{"1.1GB", 1_100_000_000},
		{"10kb", 10_000},
		{"10KB", 10_000},
		{"10kB", 10_000},
		{"1.5 GiB", 3 << 29},
		{" 256mib ", 256 << 20},
		{"1.3KiB", 1331}, // truncated to whole bytes
		{".5KiB", 512},
		{"5.KiB", 5120},
		{"9223372036854775807", 1<<63 - 1},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{
		"", " ", "MiB", "-1", "-1MiB", "+1", "1..5MB", "1.2.3", ".", "1e3", "0x10",
		"10 bits", "5 MiB extra", "256m", "1G", "9223372036854775808", "8EiB", "10000000TB",
	} {
		if got, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want error", bad, got)
		}
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"},
		{12, "12 B"},
		{1023, "1023 B"},
		{1024, "1 KiB"},
		{1536, "1.5 KiB"},
		{512 << 20, "512 MiB"},
		{3 << 29, "1.5 GiB"},
		{1<<20 - 1, "1 MiB"}, // 1023.999 KiB rounds up a unit
		{50e6, "47.7 MiB"},
		{-2048, "-2 KiB"},
		{1<<63 - 1, "8 EiB"},
		{-1 << 63, "-8 EiB"},
	}
	for _, tt := range tests {
		if got := FormatSize(tt.in); got != tt.want {
			t.Errorf("FormatSize(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatSizeRoundTrip(t *testing.T) {
	for _, n := range []int64{12, 1 << 10, 512 << 20, 3 << 29, 1 << 40} {
		got, err := ParseSize(FormatSize(n))
		if err != nil || got != n {
			t.Errorf("ParseSize(FormatSize(%d)) = %d, %v", n, got, err)
		}
	}
}

func TestFind(t *testing.T) {
	// root/                 (outside the repository)
	//   .dockvet.yaml       must never be found from inside repo/
	//   repo/.git/
	//   repo/.dockvet.yml
	//   repo/a/.dockvet.yaml
	//   repo/a/b/c/
	//   repo/d/e/
	//   plain/x/            (no repository: search goes up to root/ and beyond)
	root := t.TempDir()
	mkdirs(t, root, "repo/.git", "repo/a/b/c", "repo/d/e", "bare/.git", "bare/f", "plain/x")
	touch(t, root, ".dockvet.yaml", "repo/.dockvet.yml", "repo/a/.dockvet.yaml")

	tests := []struct {
		start string
		want  string
	}{
		{"repo/a/b/c", "repo/a/.dockvet.yaml"},
		{"repo/a", "repo/a/.dockvet.yaml"},
		{"repo/d/e", "repo/.dockvet.yml"},
		{"repo", "repo/.dockvet.yml"},
		{"bare/f", ""}, // a repository without config does not inherit root's
		{"plain/x", ".dockvet.yaml"},
	}
	for _, tt := range tests {
		got, err := Find(filepath.Join(root, tt.start))
		want := ""
		if tt.want != "" {
			want = filepath.Join(root, tt.want)
		}
		if err != nil || got != want {
			t.Errorf("Find(%s) = %q, %v; want %q", tt.start, got, err, want)
		}
	}
}

func TestFindPrefersYAML(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root, ".git")
	touch(t, root, ".dockvet.yml", ".dockvet.yaml")
	if got, _ := Find(root); got != filepath.Join(root, ".dockvet.yaml") {
		t.Errorf("Find = %q, want .dockvet.yaml", got)
	}
}

func TestFindGitFile(t *testing.T) {
	// In a worktree or submodule .git is a file; it still marks the root.
	root := t.TempDir()
	mkdirs(t, root, "sub/x")
	touch(t, root, ".dockvet.yaml", "sub/.git")
	if got, err := Find(filepath.Join(root, "sub/x")); got != "" || err != nil {
		t.Errorf("Find = %q, %v; want none (stop at sub/)", got, err)
	}
}

func TestFindIgnoresDirectoryNamedLikeConfig(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root, ".git", "a/.dockvet.yaml")
	touch(t, root, ".dockvet.yaml")
	if got, _ := Find(filepath.Join(root, "a")); got != filepath.Join(root, ".dockvet.yaml") {
		t.Errorf("Find = %q, want the file in root", got)
	}
}

func TestFindRelative(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root, ".git", "a/b")
	touch(t, root, ".dockvet.yaml")
	t.Chdir(filepath.Join(root, "a", "b"))
	tests := []struct{ start, want string }{
		{".", filepath.Join("..", "..", ".dockvet.yaml")},
		{"..", filepath.Join("..", "..", ".dockvet.yaml")},
		{"../..", filepath.Join("..", "..", ".dockvet.yaml")},
		{filepath.Join(root, "a"), filepath.Join(root, ".dockvet.yaml")},
	}
	for _, tt := range tests {
		got, err := Find(tt.start)
		if err != nil || got != tt.want {
			t.Errorf("Find(%q) = %q, %v; want %q", tt.start, got, err, tt.want)
		}
		if _, err := os.Stat(got); err != nil {
			t.Errorf("Find(%q) result does not resolve: %v", tt.start, err)
		}
	}
}

func mkdirs(t *testing.T, root string, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func touch(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLoadFoundLinks: a config found in a repository under review is read
// through a symbolic link only when the link stays in the repository, out of
// .git (actions/checkout keeps the job's token in .git/config), and leads to
// a file named like a config.
func TestLoadFoundLinks(t *testing.T) {
	base := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(base, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(rel, target string) string {
		p := filepath.Join(base, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("secrets.env", "AWS_SECRET=hunter2\n")
	write("repo/.git/HEAD", "ref: refs/heads/main\n")
	write("repo/shared.yaml", "fail-on: error\n")
	write("repo/shared/.dockvet.yml", "fail-on: error\n")
	write("repo/.git/config", "[http]\n\textraheader = AUTHORIZATION: basic hunter2\n")
	write("repo/.git/.dockvet.yaml", "fail-on: error\n")
	plain := filepath.Join(base, "repo", "plain", ".dockvet.yaml")
	write("repo/plain/.dockvet.yaml", "fail-on: info\n")
	tests := []struct {
		name    string
		path    string
		outside bool
		refused string // the whole message of a *LinkTargetError
	}{
		{name: "plain file", path: plain},
		{name: "link to a config inside the repository", path: link("repo/svc/.dockvet.yaml", "../shared/.dockvet.yml")},
		{name: "link out of the repository", path: link("repo/api/.dockvet.yaml", "../../secrets.env"), outside: true},
		{name: "absolute link out", path: link("repo/web/.dockvet.yaml", filepath.Join(base, "secrets.env")), outside: true},
		{name: "no repository: link out of its directory", path: link("norepo/.dockvet.yaml", "../secrets.env"), outside: true},
		{name: "link to .git/config", path: link("repo/git/.dockvet.yaml", "../.git/config"), refused: "is a symbolic link into .git: not read"},
		{name: "link to a config-named file in .git", path: link("repo/hook/.dockvet.yaml", "../.git/.dockvet.yaml"), refused: "is a symbolic link into .git: not read"},
		{name: "link to a file not named like a config", path: link("repo/other/.dockvet.yaml", "../shared.yaml"), refused: "is a symbolic link to a file not named .dockvet.yaml or .dockvet.yml: not read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFound(tt.path)
			var lo *LinkOutsideError
			var lt *LinkTargetError
			switch {
			case tt.outside:
				if !errors.As(err, &lo) {
					t.Errorf("LoadFound: %v, want a LinkOutsideError", err)
				}
			case tt.refused != "":
				if !errors.As(err, &lt) || err.Error() != tt.path+" "+tt.refused {
					t.Errorf("LoadFound: %v, want %q", err, tt.path+" "+tt.refused)
				}
			case err != nil:
				t.Errorf("LoadFound: %v", err)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the secret leaked: %v", err)
			}
		})
	}
}

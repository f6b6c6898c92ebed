package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/config"
)

// A repository linted with hadolint (.hadolint.yaml and # hadolint comments)
// lints with the same suppressions, unedited.
func TestHadolintRepositoryUnedited(t *testing.T) {
	code, out, errOut := runCLI(t, "", "lint", "-f", "gnu", "cmd/dockvet/testdata/hadolint/repo")
	golden(t, "hadolint.repo.gnu", out)
	if code != 1 { // DL3006 is overridden to error, and failure-threshold is error
		t.Errorf("exit %d, want 1", code)
	}
	want := "dockvet: note: cmd/dockvet/testdata/hadolint/repo/.hadolint.yaml: hadolint settings with no dockvet equivalent, not used: format\n"
	if strings.Count(errOut, "dockvet: note:") != 1 || !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want the one note %q", errOut, want)
	}
}

// The same Dockerfile without its hadolint comments: what they suppressed
// comes back, so the test above proves the comments work.
func TestHadolintCommentsAreWhatSuppresses(t *testing.T) {
	src, err := os.ReadFile("cmd/dockvet/testdata/hadolint/repo/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.SplitAfter(string(src), "\n") {
		if !strings.HasPrefix(l, "# hadolint") {
			kept = append(kept, l)
		}
	}
	_, out, _ := runCLI(t, strings.Join(kept, ""), "lint", "-f", "gnu", "--config", "cmd/dockvet/testdata/hadolint/repo/.hadolint.yaml", "-")
	for _, want := range []string{"<stdin>:2:6: error: FROM debian", "[DV400]", "[DV300]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "[DV200]") {
		t.Errorf("ignored: [DL3007] from --config .hadolint.yaml not applied:\n%s", out)
	}
}

// A .dockvet.yaml next to (or above) a .hadolint.yaml wins: the repository
// has migrated. The pragmas still work.
func TestDockvetConfigWinsOverHadolint(t *testing.T) {
	code, out, errOut := runCLI(t, "", "lint", "-f", "gnu", "cmd/dockvet/testdata/hadolint/migrated")
	golden(t, "hadolint.migrated.gnu", out)
	if code != 1 || strings.Contains(errOut, "note:") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestConfigMigrate(t *testing.T) {
	code, out, errOut := runCLI(t, "", "config", "migrate", "cmd/dockvet/testdata/hadolint/repo/.hadolint.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "hadolint.migrate.yaml", out)
	// What migrate prints is a valid .dockvet.yaml whose rule names all exist.
	cfg, err := config.Parse("out.yaml", []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range append(cfg.Ignore, cfg.Enable...) {
		if lookupRule(r.Name) == nil {
			t.Errorf("unknown rule %s", r.Name)
		}
	}
}

// Every hadolint key the spec lists, and the comments for what has no
// equivalent.
func TestConfigMigrateAllKeys(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".hadolint.yml")
	yaml := `ignored: [DL3019, DL3042, DL3026, SC2086, DL3008]
override:
  error: [DL3042]
  warning: [DL3025, DL3013]
  info: [DL3019]
failure-threshold: style
no-fail: false
trustedRegistries:
  - docker.io
  - "my.registry:5000"
label-schema:
  author: text
  org.opencontainers.image.source: url
strict-labels: true
no-color: true
`
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "config", "migrate", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	out = strings.ReplaceAll(out, path, ".hadolint.yml")
	want := "# Converted from .hadolint.yml by `dockvet config migrate`.\n" +
		"fail-on: info  # failure-threshold: style\n" +
		"ignore:\n" +
		"  - DV403  # DL3019, DL3042\n" +
		"  - DV204  # DL3026\n" +
		"  # SC2086: ShellCheck code, dockvet does not run ShellCheck\n" +
		"  # DL3008: no dockvet equivalent\n" +
		"severity:\n" +
		"  DV403: error  # DL3042 error, DL3019 info\n" +
		"  DV300: warning  # DL3025 warning\n" +
		"  DV301: warning  # DL3025 warning\n" +
		"  JSONArgsRecommended: warning  # DL3025 warning\n" +
		"  # warning: DL3013: no dockvet equivalent\n" +
		"trusted-registries:\n  - docker.io\n  - \"my.registry:5000\"  # trustedRegistries\n" +
		"label-schema:\n  author: text\n  org.opencontainers.image.source: url\n" +
		"strict-labels: true\n" +
		"# hadolint setting \"no-color\" has no .dockvet.yaml equivalent (use --color never, or NO_COLOR)\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestConfigMigrateNoFail(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".hadolint.yaml")
	if err := os.WriteFile(path, []byte("failure-threshold: error\nno-fail: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ := runCLI(t, "", "config", "migrate", path)
	if !strings.Contains(out, "\nfail-on: none  # no-fail: true\n") {
		t.Errorf("got %q", out)
	}
}

func TestConfigMigrateErrors(t *testing.T) {
	code, _, errOut := runCLI(t, "", "config", "migrate", "does/not/exist/.hadolint.yaml")
	if code != exitError || !strings.Contains(errOut, "does/not/exist/.hadolint.yaml") {
		t.Errorf("missing file: exit %d, %q", code, errOut)
	}
	// With no FILE, the nearest one from the working directory (the
	// repository root here, which has none).
	code, _, errOut = runCLI(t, "", "config", "migrate")
	if code != exitError || !strings.Contains(errOut, "no .hadolint.yaml or .hadolint.yml found") {
		t.Errorf("no file: exit %d, %q", code, errOut)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, ".hadolint.yaml")
	if err := os.WriteFile(bad, []byte("failure-threshold: loud\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "", "config", "migrate", bad)
	if code != exitError || !strings.Contains(errOut, `unknown hadolint severity "loud"`) {
		t.Errorf("bad file: exit %d, %q", code, errOut)
	}
}

func TestExplainPrintsEquivalents(t *testing.T) {
	tests := map[string]string{
		"DV200":              "\nEquivalents: hadolint: DL3007; BuildKit: —\n\nMore: ",
		"DV300":              "\nEquivalents: hadolint: DL3025; BuildKit: JSONArgsRecommended\n\nMore: ",
		"volume-instruction": "\nEquivalents: hadolint: —; BuildKit: —\n\nMore: ",
	}
	for rule, want := range tests {
		_, out, _ := runCLI(t, "", "explain", rule)
		if !strings.Contains(out, want) {
			t.Errorf("explain %s lacks %q:\n%s", rule, want, out)
		}
	}
}

func TestYAMLString(t *testing.T) {
	tests := map[string]string{
		"docker.io":        "docker.io",
		"my.registry:5000": `"my.registry:5000"`,
		"*.corp.example":   `"*.corp.example"`,
		"yes":              `"yes"`,
		"1.0":              `"1.0"`,
		"":                 `""`,
		"-x":               `"-x"`,
		"org.label-schema": "org.label-schema",
	}
	for in, want := range tests {
		if got := yamlString(in); got != want {
			t.Errorf("yamlString(%q) = %s, want %s", in, got, want)
		}
	}
}

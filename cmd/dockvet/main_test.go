package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/ruledoc"
	"github.com/dockvet/dockvet/rules"
)

var update = flag.Bool("update", false, "rewrite golden files")

// runCLI runs dockvet in-process from the repository root (so that paths in
// output are the ones a user types there) with no config file in scope,
// offline and with an empty image cache.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLIEnv(t, map[string]string{"DOCKVET_OFFLINE": "1"}, stdin, args...)
}

// runCLIEnv is runCLI with the given environment (DOCKVET_CACHE_DIR defaults
// to a fresh temporary directory).
func runCLIEnv(t *testing.T, environ map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cache := t.TempDir()
	e := &env{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(k string) string {
			if v, ok := environ[k]; ok {
				return v
			}
			if k == "DOCKVET_CACHE_DIR" {
				return cache
			}
			return ""
		},
		isTerminal: func(io.Writer) bool { return false },
	}
	code = e.run(args)
	return code, out.String(), errb.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("cmd", "dockvet", "testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/dockvet -update)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/dockvet -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestMain(m *testing.M) {
	// The test binary doubles as dockvet for tests that need a process
	// (signals): see runAsDockvet.
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	flag.Parse()
	// Run from the repository root, like a user in their checkout.
	if err := os.Chdir(filepath.Join("..", "..")); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func TestLintFormats(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"bad.text", []string{"lint", "--color", "never", "examples/bad/Dockerfile"}, 1},
		{"bad.gnu", []string{"lint", "-f", "gnu", "examples/bad/Dockerfile"}, 1},
		{"bad.json", []string{"lint", "--format=json", "examples/bad/Dockerfile"}, 1},
		{"good.text", []string{"lint", "examples/good/Dockerfile"}, 0},
		{"examples.gnu", []string{"lint", "-f", "gnu", "examples"}, 1},
		{"bad.fail-on-none.gnu", []string{"lint", "-f", "gnu", "--fail-on", "none", "examples/bad/Dockerfile"}, 0},
		{"bad.ignore.gnu", []string{"lint", "-f", "gnu", "--ignore", "DV100", "--ignore", "latest-tag", "--severity", "DV101=info", "examples/bad/Dockerfile"}, 1},
		{"bad.target-build.gnu", []string{"lint", "-f", "gnu", "--target", "build", "examples/bad/Dockerfile"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			golden(t, tt.name, out)
		})
	}
}

func TestFailOnThreshold(t *testing.T) {
	src := "FROM alpine:3.20\nUSER 1000\nCMD [\"sleep\", \"1\"]\nVOLUME /data\n" // one warning: DV100
	for _, tt := range []struct {
		failOn string
		want   int
	}{{"error", 0}, {"warning", 1}, {"info", 1}, {"none", 0}} {
		code, _, errOut := runCLI(t, src, "lint", "-f", "gnu", "--fail-on", tt.failOn, "-")
		if code != tt.want {
			t.Errorf("--fail-on %s: exit %d, want %d (%s)", tt.failOn, code, tt.want, errOut)
		}
	}
}

func TestStdinFilename(t *testing.T) {
	code, out, _ := runCLI(t, "FROM alpine\n", "lint", "-f", "gnu", "--stdin-filename", "svc/Dockerfile", "-")
	if code != 1 || !strings.Contains(out, "svc/Dockerfile:1:6: warning: ") {
		t.Errorf("exit %d, output %q", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"unknown format", []string{"lint", "-f", "xml", "examples"}, "valid formats: text, gnu, json"},
		{"unknown flag", []string{"lint", "--bogus"}, "unknown flag: --bogus"},
		{"bad fail-on", []string{"lint", "--fail-on", "loud", "examples"}, "invalid severity"},
		{"unknown rule flag", []string{"lint", "--ignore", "DV999", "examples"}, `unknown rule "DV999"`},
		{"typo rule flag", []string{"lint", "--ignore", "latest-tagg", "examples"}, "did you mean DV200 latest-tag"},
		{"bad severity flag", []string{"lint", "--severity", "DV100", "examples"}, "want RULE=LEVEL"},
		{"bad color", []string{"lint", "--color", "rainbow", "examples"}, "invalid --color"},
		{"missing file", []string{"lint", "does/not/exist/Dockerfile"}, "no such file or directory"},
		{"missing target", []string{"lint", "--target", "nope", "examples/good/Dockerfile"}, `no stage named "nope"`},
		{"missing config", []string{"lint", "--config", "nope.yaml", "examples"}, "nope.yaml"},
		{"unknown config key", []string{"lint", "--config", "cmd/dockvet/testdata/cfg-unknown-key/.dockvet.yaml", "examples"}, ".dockvet.yaml:3"},
		{"bad platform", []string{"lint", "--platform", "amd64", "examples"}, "invalid platform"},
		{"unknown command", []string{"lnt"}, "unknown command"},
		{"explain unknown", []string{"explain", "DV999"}, `unknown rule "DV999"`},
		{"explain no arg", []string{"explain"}, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errOut, tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.wantStderr)
			}
		})
	}
}

func TestConfigUnknownRuleIsAFinding(t *testing.T) {
	code, out, errOut := runCLI(t, "", "lint", "-f", "gnu", "--config", "cmd/dockvet/testdata/cfg-unknown-rule/.dockvet.yaml", "examples/good/Dockerfile")
	want := `cmd/dockvet/testdata/cfg-unknown-rule/.dockvet.yaml:2:10: info: unknown rule "DV999"`
	if !strings.Contains(out, want) {
		t.Errorf("output %q lacks %q (stderr %s)", out, want, errOut)
	}
	if code != 0 { // info is below the default --fail-on warning
		t.Errorf("exit %d, want 0", code)
	}
}

func TestInlineSuppression(t *testing.T) {
	code, out, _ := runCLI(t, "", "lint", "-f", "gnu", "cmd/dockvet/testdata/suppress/Dockerfile")
	golden(t, "suppress.gnu", out)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
}

func TestJSONShape(t *testing.T) {
	_, out, _ := runCLI(t, "", "lint", "-f", "json", "examples/bad/Dockerfile", "does/not/exist")
	var doc struct {
		Version  int              `json:"version"`
		Findings []map[string]any `json:"findings"`
		Errors   []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	if doc.Version != 1 || len(doc.Findings) == 0 || len(doc.Errors) != 1 {
		t.Fatalf("version %d, %d findings, %d errors", doc.Version, len(doc.Findings), len(doc.Errors))
	}
	for _, key := range []string{"rule", "name", "severity", "file", "line", "column", "endLine", "endColumn", "message"} {
		if _, ok := doc.Findings[0][key]; !ok {
			t.Errorf("finding lacks key %q", key)
		}
	}
}

func TestColor(t *testing.T) {
	_, always, _ := runCLI(t, "", "lint", "--color", "always", "examples/bad/Dockerfile")
	if !strings.Contains(always, "\x1b[") {
		t.Error("--color always printed no escape codes")
	}
	_, auto, _ := runCLI(t, "", "lint", "examples/bad/Dockerfile") // not a terminal
	if strings.Contains(auto, "\x1b[") {
		t.Error("--color auto colored output that is not a terminal")
	}
	_, gnu, _ := runCLI(t, "", "lint", "-f", "gnu", "--color", "always", "examples/bad/Dockerfile")
	if strings.Contains(gnu, "\x1b[") {
		t.Error("gnu format must never be colored")
	}
}

func TestRulesAndExplain(t *testing.T) {
	code, out, _ := runCLI(t, "", "rules")
	if code != 0 {
		t.Fatalf("rules exit %d", code)
	}
	for _, r := range rules.All() {
		if !strings.Contains(out, r.ID) || !strings.Contains(out, r.Name) {
			t.Errorf("rules output lacks %s %s", r.ID, r.Name)
		}
		byID, byName := "", ""
		_, byID, _ = runCLI(t, "", "explain", r.ID)
		_, byName, _ = runCLI(t, "", "explain", strings.ToUpper(r.Name))
		if byID == "" || byID != byName {
			t.Errorf("explain %s and explain %s differ or are empty", r.ID, r.Name)
		}
		for _, part := range []string{"Why:", "Bad:", "Good:", "Suppress:", "# dockvet ignore=" + r.ID} {
			if !strings.Contains(byID, part) {
				t.Errorf("explain %s lacks %q", r.ID, part)
			}
		}
	}
	_, js, _ := runCLI(t, "", "rules", "-f", "json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(js), &list); err != nil || len(list) != len(rules.All()) {
		t.Errorf("rules -f json: %v, %d entries", err, len(list))
	}
}

func TestVersionAndCompletion(t *testing.T) {
	code, out, _ := runCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "dockvet ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
	code, out, _ = runCLI(t, "", "completion", "bash")
	if code != 0 || !strings.Contains(out, "dockvet") {
		t.Errorf("completion bash: exit %d", code)
	}
	_, out, _ = runCLI(t, "", "__complete", "explain", "DV1")
	if !strings.Contains(out, "DV100") {
		t.Errorf("explain completion lacks DV100: %q", out)
	}
}

// TestRulesDocUpToDate keeps docs/rules.md and the rule table of README.md
// (between the markers readmeBegin and readmeEnd) generated from the rule
// values; -update (make docs) regenerates both.
func TestRulesDocUpToDate(t *testing.T) {
	var b bytes.Buffer
	if err := ruledoc.Markdown(&b, rules.All()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("docs", "rules.md")
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	newReadme, err := withRuleTable(readme, readmeRuleTable(rules.All()))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("README.md", newReadme, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, b.Bytes()) {
		t.Errorf("docs/rules.md is out of date: run make docs")
	}
	if !bytes.Equal(readme, newReadme) {
		t.Errorf("the rule table of README.md is out of date: run make docs")
	}
}

const (
	readmeBegin = "<!-- rules:begin (generated by `make docs` from rules/; do not edit) -->\n"
	readmeEnd   = "<!-- rules:end -->\n"
)

// readmeRuleTable is the README's table of rules, linking to docs/rules.md.
func readmeRuleTable(all []*rule.Rule) string {
	var b strings.Builder
	table := func(rs []*rule.Rule) {
		b.WriteString("| id | name | default | catches |\n|---|---|---|---|\n")
		for _, r := range rs {
			anchor := strings.ToLower(r.ID) + "-" + r.Name
			fmt.Fprintf(&b, "| [%s](docs/rules.md#%s) | %s | %s | %s |\n",
				r.ID, anchor, r.Name, defaultSeverity(r), strings.ReplaceAll(r.Summary, "|", `\|`))
		}
	}
	own, groups, names := ruledoc.Groups(all)
	table(own)
	for _, g := range names {
		fmt.Fprintf(&b, "\n%s:\n\n", ruledoc.GroupTitle(g))
		table(groups[g])
	}
	return b.String()
}

// withRuleTable replaces what lies between the README's markers with table.
func withRuleTable(readme []byte, table string) ([]byte, error) {
	s := string(readme)
	i := strings.Index(s, readmeBegin)
	j := strings.Index(s, readmeEnd)
	if i < 0 || j < i {
		return nil, fmt.Errorf("README.md lacks the markers %q and %q", readmeBegin, readmeEnd)
	}
	return []byte(s[:i+len(readmeBegin)] + table + s[j:]), nil
}

func TestWithRuleTable(t *testing.T) {
	in := "# x\n" + readmeBegin + "| stale |\n" + readmeEnd + "after\n"
	got, err := withRuleTable([]byte(in), "| fresh |\n")
	if want := "# x\n" + readmeBegin + "| fresh |\n" + readmeEnd + "after\n"; err != nil || string(got) != want {
		t.Errorf("withRuleTable = %q, %v; want %q", got, err, want)
	}
	if _, err := withRuleTable([]byte("no markers"), ""); err == nil {
		t.Error("a README without markers was accepted")
	}
}

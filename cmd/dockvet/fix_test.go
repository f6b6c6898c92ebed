//go:build unix

package main

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/fix"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
	"github.com/dockvet/dockvet/internal/source"
)

// fixable has findings with safe fixes (DV103, DV300) and one without
// (DV100's VOLUME stays).
const fixable = "FROM debian:12\nVOLUME [/data]\nCMD node server.js\n"

const fixed = "FROM debian:12\nVOLUME [\"/data\"]\nCMD [\"node\", \"server.js\"]\n"

func writeDockerfile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLintFix(t *testing.T) {
	path := writeDockerfile(t, fixable)
	code, stdout, stderr := runCLI(t, "", "lint", "--fix", "-f", "gnu", path)
	got, _ := os.ReadFile(path)
	if string(got) != fixed {
		t.Fatalf("file is\n%s\nwant\n%s", got, fixed)
	}
	// What remains decides the exit code: the VOLUME itself (DV100).
	if code != exitFindings || !strings.Contains(stdout, "DV100") || strings.Contains(stdout, "DV103") || strings.Contains(stdout, "DV300") {
		t.Errorf("code %d, report:\n%s", code, stdout)
	}
	if !strings.Contains(stderr, "fixed 2 findings in 1 file") {
		t.Errorf("stderr: %s", stderr)
	}
	// A second --fix changes nothing.
	code2, _, stderr2 := runCLI(t, "", "lint", "--fix", "-f", "gnu", path)
	again, _ := os.ReadFile(path)
	if string(again) != fixed || code2 != exitFindings || !strings.Contains(stderr2, "fixed 0 findings in 0 files") {
		t.Errorf("second run: code %d, %s\n%s", code2, stderr2, again)
	}
	// Only fixed findings gone: --fail-on error passes.
	if code, _, _ := runCLI(t, "", "lint", "--fix", "--fail-on", "error", path); code != exitOK {
		t.Errorf("--fail-on error: code %d", code)
	}
}

// TestLintDiff checks that --diff writes nothing and that its output
// applies with git apply and patch -p1 where the user runs dockvet.
func TestLintDiff(t *testing.T) {
	for _, tool := range [][]string{{"git", "apply", "-"}, {"patch", "-p1", "--quiet"}} {
		t.Run(tool[0], func(t *testing.T) {
			path := writeDockerfile(t, fixable)
			dir := filepath.Dir(path)
			t.Chdir(dir)
			code, stdout, _ := runCLI(t, "", "lint", "--diff", "Dockerfile")
			if got, _ := os.ReadFile(path); string(got) != fixable {
				t.Fatalf("--diff changed the file: %s", got)
			}
			if code != exitFindings || !strings.HasPrefix(stdout, "--- a/Dockerfile\n+++ b/Dockerfile\n") {
				t.Fatalf("code %d, stdout:\n%s", code, stdout)
			}
			cmd := exec.Command(tool[0], tool[1:]...)
			cmd.Dir = dir
			cmd.Stdin = strings.NewReader(stdout)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v: %v\n%s", tool, err, out)
			}
			if got, _ := os.ReadFile(path); string(got) != fixed {
				t.Errorf("patched file is\n%s", got)
			}
		})
	}
}

func TestLintFixBadInput(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		wrap  func(path string) func(io.Writer) io.Writer
		want  string
	}{
		{
			name: "read-only file",
			setup: func(t *testing.T, path string) {
				if err := os.Chmod(path, 0o444); err != nil {
					t.Fatal(err)
				}
			},
			want: "read-only",
		},
		{
			name: "file replaced during the run",
			wrap: func(path string) func(io.Writer) io.Writer {
				return func(w io.Writer) io.Writer {
					// Another program replaces the file while dockvet
					// writes its temporary copy.
					other := path + ".other"
					if err := os.WriteFile(other, []byte(fixable), 0o644); err != nil {
						panic(err)
					}
					if err := os.Rename(other, path); err != nil {
						panic(err)
					}
					return w
				}
			},
			want: "replaced while dockvet ran",
		},
		{
			name: "disk full",
			wrap: func(string) func(io.Writer) io.Writer {
				return func(io.Writer) io.Writer { return errWriter{} }
			},
			want: "no space left on device",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeDockerfile(t, fixable)
			if tt.setup != nil {
				tt.setup(t, path)
			}
			var wrap func(io.Writer) io.Writer
			if tt.wrap != nil {
				wrap = tt.wrap(path)
			}
			code, _, stderr := runFixCLI(t, wrap, "lint", "--fix", path)
			if code != exitError || !strings.Contains(stderr, tt.want) {
				t.Errorf("code %d, stderr: %s", code, stderr)
			}
			if got, _ := os.ReadFile(path); string(got) != fixable {
				t.Errorf("the file changed:\n%s", got)
			}
			ents, _ := os.ReadDir(filepath.Dir(path))
			if len(ents) != 1 {
				t.Errorf("%d files left in the directory", len(ents))
			}
		})
	}
}

func TestLintFixStdin(t *testing.T) {
	code, _, stderr := runCLI(t, fixable, "lint", "--fix", "-")
	if code != exitError || !strings.Contains(stderr, "use --diff") {
		t.Errorf("code %d, stderr: %s", code, stderr)
	}
	code, stdout, _ := runCLI(t, fixable, "lint", "--diff", "-", "--stdin-filename", "Dockerfile")
	if code != exitFindings || !strings.Contains(stdout, "+CMD [\"node\", \"server.js\"]") {
		t.Errorf("code %d, stdout: %s", code, stdout)
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// runFixCLI is runCLI with the writer of --fix wrapped.
func runFixCLI(t *testing.T, wrap func(io.Writer) io.Writer, args ...string) (int, string, string) {
	t.Helper()
	var out, errb strings.Builder
	cache := t.TempDir()
	e := &env{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(k string) string {
			switch k {
			case "DOCKVET_OFFLINE":
				return "1"
			case "DOCKVET_CACHE_DIR":
				return cache
			}
			return ""
		},
		isTerminal:    func(io.Writer) bool { return false },
		fixWriterWrap: wrap,
	}
	code := e.run(args)
	return code, out.String(), errb.String()
}

// TestJSONFixIsWhatFixApplies reads the fixes of `-f json` and applies
// their edits (fix.Apply, the applier --fix uses): the text must be what
// `--fix` writes, for a file whose fixes all apply in one pass. SARIF's
// fixes carry the same edits (TestCIFormatsCarryTheJSONFindings compares
// every format's fixes with JSON's).
func TestJSONFixIsWhatFixApplies(t *testing.T) {
	const src = "from debian:12\nMAINTAINER Jane <j@example.com>\nENV A 1\nVOLUME [/data]\nRUN useradd -u 100000 app\nCMD node server.js\n"
	path := writeDockerfile(t, src)
	_, out, _ := runCLI(t, "", "lint", "-f", "json", path)
	var doc struct {
		Findings []struct {
			Rule string `json:"rule"`
			Line int    `json:"line"`
			Fix  *struct {
				Description string `json:"description"`
				Edits       []struct {
					Line, Column, EndLine, EndColumn int
					NewText                          string `json:"newText"`
				} `json:"edits"`
			} `json:"fix"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var fs []finding.Finding
	for _, f := range doc.Findings {
		if f.Fix == nil {
			continue
		}
		fx := &finding.Fix{Description: f.Fix.Description}
		for _, e := range f.Fix.Edits {
			fx.Edits = append(fx.Edits, finding.Edit{
				Range:   source.Range{Start: source.Pos{Line: e.Line, Col: e.Column}, End: source.Pos{Line: e.EndLine, Col: e.EndColumn}},
				NewText: e.NewText,
			})
		}
		fs = append(fs, finding.Finding{RuleID: f.Rule, Range: source.Range{Start: source.Pos{Line: f.Line, Col: 1}}, Fix: fx})
	}
	if len(fs) < 5 {
		t.Fatalf("want the fixes of five rules, JSON has %d:\n%s", len(fs), out)
	}
	fromJSON, applied := fix.Apply([]byte(src), fs)
	if len(applied) != len(fs) {
		t.Fatalf("%d of %d JSON fixes apply together", len(applied), len(fs))
	}
	if code, _, stderr := runCLI(t, "", "lint", "--fix", path); code == exitError {
		t.Fatal(stderr)
	}
	written, _ := os.ReadFile(path)
	if string(written) != string(fromJSON) {
		t.Errorf("--fix wrote\n%s\nJSON's edits make\n%s", written, fromJSON)
	}
}

// TestLintPin pins FROM images to the digest their tag resolves to, read
// through the resolver from a test registry: the index of a multi-platform
// image (so other platforms still build), the manifest of a single one.
// Offline, only cached digests are pinned and the rest is said on stderr.
func TestLintPin(t *testing.T) {
	srv := registrytest.New(t)
	amd := registrytest.Image(t, registrytest.Spec{User: "app"})
	arm := registrytest.Image(t, registrytest.Spec{User: "app", Platform: "linux/arm64"})
	multi := srv.PushIndex(t, "team/base:1.0", registrytest.Index(t, amd, arm))
	single := srv.Push(t, "team/tool", registrytest.Image(t, registrytest.Spec{User: "app"}))
	src := "FROM " + srv.Ref("team/tool") + " AS tool\nFROM " + srv.Ref("team/base:latest") + "\nFROM " + srv.Ref("team/base:1.0") + "\nCOPY --from=tool /x /x\nCOPY --from=" + srv.Ref("team/tool") + " /y /y\nUSER 1000\nCMD [\"app\"]\n"
	// team/base:latest does not exist: it stays as it is (DV001 says why).
	want := "FROM " + srv.Ref("team/tool") + "@" + single.String() + " AS tool\nFROM " + srv.Ref("team/base:latest") + "\nFROM " + srv.Ref("team/base:1.0") + "@" + multi.String() + "\nCOPY --from=tool /x /x\nCOPY --from=" + srv.Ref("team/tool") + "@" + single.String() + " /y /y\nUSER 1000\nCMD [\"app\"]\n"
	cache := t.TempDir()
	environ := map[string]string{"DOCKVET_CACHE_DIR": cache}

	// Without --pin nothing is pinned, and --pin alone is a usage error.
	path := writeDockerfile(t, src)
	runCLIEnv(t, environ, "", "lint", "--fix", "--enable", "DV203", path)
	if got, _ := os.ReadFile(path); string(got) != src {
		t.Fatalf("pinned without --pin:\n%s", got)
	}
	if code, _, stderr := runCLIEnv(t, environ, "", "lint", "--pin", path); code != exitError || !strings.Contains(stderr, "--pin needs --fix or --diff") {
		t.Errorf("--pin alone: code %d, %s", code, stderr)
	}

	code, _, stderr := runCLIEnv(t, environ, "", "lint", "--fix", "--pin", "--enable", "DV203", "-f", "gnu", path)
	got, _ := os.ReadFile(path)
	if string(got) != want {
		t.Fatalf("code %d, stderr %s\nfile:\n%s\nwant:\n%s", code, stderr, got, want)
	}

	// Offline, from the cache the run above filled: the same pins; an
	// image never resolved is named on stderr.
	srv2 := registrytest.New(t)
	path = writeDockerfile(t, src+"FROM "+srv2.Ref("other/img:2")+"\n")
	_, _, stderr = runCLIEnv(t, map[string]string{"DOCKVET_CACHE_DIR": cache, "DOCKVET_OFFLINE": "1"}, "", "lint", "--fix", "--pin", "--enable", "DV203", path)
	got, _ = os.ReadFile(path)
	if string(got) != want+"FROM "+srv2.Ref("other/img:2")+"\n" {
		t.Errorf("offline pin:\n%s\nstderr: %s", got, stderr)
	}
	if !strings.Contains(stderr, "--pin: 2 images not pinned: offline") {
		t.Errorf("stderr: %s", stderr)
	}
}

func TestDiffName(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"./Dockerfile":                         "Dockerfile",
		"svc/../api/Dockerfile":                "api/Dockerfile",
		filepath.Join(wd, "api", "Dockerfile"): "api/Dockerfile",
		"/outside/the/tree/Dockerfile":         "outside/the/tree/Dockerfile",
	}
	for in, want := range tests {
		if got := diffName(in); got != want {
			t.Errorf("diffName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSyntaxErrorFileOffersNoFix: --fix leaves a file with a DV000 error
// alone, so its JSON findings offer no fix either.
func TestSyntaxErrorFileOffersNoFix(t *testing.T) {
	path := writeDockerfile(t, fixable+"RUNN x\n")
	_, out, _ := runCLI(t, "", "lint", "-f", "json", path)
	if !strings.Contains(out, `"DV000"`) || strings.Contains(out, `"fix"`) {
		t.Errorf("json:\n%s", out)
	}
	runCLI(t, "", "lint", "--fix", path)
	if got, _ := os.ReadFile(path); string(got) != fixable+"RUNN x\n" {
		t.Errorf("file changed:\n%s", got)
	}
}

// Neither the JSON/SARIF fixes nor --diff copy a credential into output, and
// a file whose name a patch header cannot carry is not diffed.
func TestFixOutputHoldsNoCredential(t *testing.T) {
	const key, pw = "AKIAZ7Q3XK2LMN4PRS6T", "Xk9pQ2mZ7vLr"
	path := writeDockerfile(t, "FROM alpine:3.19\nENV AWS_KEY "+key+"\nmaintainer https://bob:"+pw+"@git.corp.io/x\n")
	for _, args := range [][]string{{"-f", "json"}, {"-f", "sarif"}, {"--diff"}} {
		_, out, errOut := runCLI(t, "", append(append([]string{"lint"}, args...), path)...)
		if strings.Contains(out+errOut, key) || strings.Contains(out+errOut, pw) {
			t.Errorf("%v: a credential reached the output:\n%s%s", args, out, errOut)
		}
	}
	dir := t.TempDir()
	odd := filepath.Join(dir, "evil\tx")
	if err := os.MkdirAll(odd, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(odd, "Dockerfile"), []byte("FROM alpine:3.20 as b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, errOut := runCLI(t, "", "lint", "--diff", filepath.Join(odd, "Dockerfile"))
	if out != "" || !strings.Contains(errOut, "not shown: its name holds characters a patch header cannot carry") {
		t.Errorf("diff of %q:\n%s---\n%s", odd, out, errOut)
	}
}

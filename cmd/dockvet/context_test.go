package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// contextDir makes a build context with a Dockerfile, a sparse 300 MiB model
// and a .git directory.
func contextDir(t *testing.T, dockerfile string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{"Dockerfile": dockerfile, ".git/HEAD": "ref: main\n", "app.py": "print()\n"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(dir, "model.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(300 << 20); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

const contextDockerfile = "FROM scratch\nCOPY . /app\nUSER 1000\n"

func TestLintContext(t *testing.T) {
	dir := contextDir(t, contextDockerfile)
	df := filepath.Join(dir, "Dockerfile")

	// Default: the Dockerfile's directory.
	code, out, errOut := runCLI(t, "", "lint", "-f", "gnu", "--ignore", "DV201", df)
	if code != 1 || !strings.Contains(out, "[DV410]") || !strings.Contains(out, "[DV412]") || errOut != "" {
		t.Errorf("default context: exit %d\n%s\nstderr: %s", code, out, errOut)
	}
	if !strings.Contains(out, "adds 300 MiB (4 files) from the build context "+dir+"/, more than max-layer-size 256 MiB") || !strings.Contains(out, "largest: model.bin 300 MiB") {
		t.Errorf("DV410 message:\n%s", out)
	}

	// stdin has no context unless --context names one.
	code, out, _ = runCLI(t, contextDockerfile, "lint", "-f", "gnu", "-")
	if code != 0 || out != "" {
		t.Errorf("stdin: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, contextDockerfile, "lint", "-f", "gnu", "--context", dir, "-")
	if code != 1 || !strings.Contains(out, "[DV410]") {
		t.Errorf("stdin with --context: exit %d\n%s", code, out)
	}

	// max-layer-size from the config file.
	cfg := filepath.Join(t.TempDir(), "dockvet.yaml")
	if err := os.WriteFile(cfg, []byte("max-layer-size: 1GiB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ = runCLI(t, "", "lint", "-f", "gnu", "--config", cfg, df)
	if strings.Contains(out, "[DV410]") {
		t.Errorf("max-layer-size 1GiB:\n%s", out)
	}

	// .dockerignore is honoured.
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("*.bin\n.git\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, "", "lint", "-f", "gnu", df)
	if code != 0 || out != "" {
		t.Errorf("with .dockerignore: exit %d\n%s", code, out)
	}
}

func TestLintContextErrors(t *testing.T) {
	dir := contextDir(t, contextDockerfile)
	df := filepath.Join(dir, "Dockerfile")
	code, _, errOut := runCLI(t, "", "lint", "--context", filepath.Join(dir, "nope"), df)
	if code != 2 || !strings.Contains(errOut, "--context") || !strings.Contains(errOut, "no such file or directory") {
		t.Errorf("missing --context: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "", "lint", "--context", df, df)
	if code != 2 || !strings.Contains(errOut, "not a directory") {
		t.Errorf("--context file: exit %d, stderr %q", code, errOut)
	}
	// A malformed .dockerignore is a warning, not a failure of the run.
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("[\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "lint", "-f", "gnu", df)
	if code != 0 || out != "" || !strings.Contains(errOut, "dockvet: warning: build context "+dir+": ") || !strings.Contains(errOut, "syntax error in pattern") {
		t.Errorf("bad .dockerignore: exit %d\n%s\nstderr %q", code, out, errOut)
	}
}

// Symbolic-link cycles in the context neither hang the walk nor fail the run.
func TestLintContextSymlinkLoops(t *testing.T) {
	dir := contextDir(t, "FROM scratch\nCOPY . /app\nCOPY loop /x\nCOPY sub/up/sub/up/model.bin /m\nUSER 1000\n")
	for name, target := range map[string]string{"loop": "loop", "sub/up": "..", "abs": "/"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := runCLI(t, "", "lint", "-f", "gnu", filepath.Join(dir, "Dockerfile"))
	if code != 1 || errOut != "" {
		t.Fatalf("exit %d\n%s\nstderr %q", code, out, errOut)
	}
	// COPY . counts the links as links; sub/up/sub/up/model.bin resolves
	// inside the context to model.bin.
	if !strings.Contains(out, "Dockerfile:2:6: warning: COPY . /app adds 300 MiB") || !strings.Contains(out, "Dockerfile:4:6: warning: COPY sub/up/sub/up/model.bin /m adds 300 MiB") {
		t.Errorf("output:\n%s", out)
	}
}

// TestLayersWarnAboutAContextNoRuleRead: with every rule that reads the
// build context off, lint opens none, and --layers, which opens it for its
// tables, still warns about a malformed .dockerignore.
func TestLayersWarnAboutAContextNoRuleRead(t *testing.T) {
	dir := contextDir(t, "FROM alpine:3\nCOPY . /x\n")
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("a[\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	df := filepath.Join(dir, "Dockerfile")
	off := "DV101,DV409,DV410,DV411,DV412,copy-ignored-file"
	for _, args := range [][]string{
		{"lint", "--offline", "--no-cache", "--ignore", off, "--layers", df},
		{"lint", "--offline", "--no-cache", "--layers", df},
	} {
		_, _, errOut := runCLI(t, "", args...)
		if n := strings.Count(errOut, ".dockerignore: syntax error in pattern"); n != 1 {
			t.Errorf("%q: the malformed .dockerignore warned about %d times, want once:\n%s", args, n, errOut)
		}
	}
	// Without --layers and without a rule that reads it, the context is
	// not opened: no warning.
	if _, _, errOut := runCLI(t, "", "lint", "--offline", "--no-cache", "--ignore", off, df); strings.Contains(errOut, ".dockerignore") {
		t.Errorf("context opened with no rule reading it:\n%s", errOut)
	}
}

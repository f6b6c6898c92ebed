package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeLog records each Write the command makes to stdout.
type writeLog struct{ writes []string }

func (w *writeLog) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

// TestLintStreamsInNameOrder lints files of two config groups, stdin, an
// unreadable file and a config file with an unknown rule name, and checks
// that findings come in the order of file names whatever group they are in,
// the config file's finding in its place, and that each file's findings were
// written on their own (streamed), not as one document at the end.
func TestLintStreamsInNameOrder(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b/.dockvet.yaml":    "ignore: [no-such-rule]\n",
		"b/Dockerfile":       "FROM ubuntu:latest\nVOLUME /b\n",
		"a/Dockerfile":       "FROM ubuntu:latest\nVOLUME /a\n",
		"c.Dockerfile":       "FROM ubuntu:latest\nVOLUME /c\n",
		"a/Dockerfile.clean": "FROM scratch\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	out := &writeLog{}
	var errb strings.Builder
	e := &env{
		stdin: strings.NewReader("FROM ubuntu:latest\nVOLUME /s\n"), stdout: out, stderr: &errb,
		getenv: func(k string) string {
			if k == "DOCKVET_OFFLINE" {
				return "1"
			}
			return ""
		},
		isTerminal: func(io.Writer) bool { return false },
	}
	// The arguments are in no particular order; "missing" cannot be read.
	code := e.run([]string{"lint", "-f", "gnu", "--no-cache", "c.Dockerfile", "b", "-", "a", "missing"})
	if code != exitError {
		t.Errorf("exit %d, want %d (missing is unreadable); stderr:\n%s", code, exitError, errb.String())
	}
	var order []string
	for line := range strings.Lines(strings.Join(out.writes, "")) {
		file, _, _ := strings.Cut(line, ":")
		if len(order) == 0 || order[len(order)-1] != file {
			order = append(order, file)
		}
	}
	want := []string{"<stdin>", "a/Dockerfile", "b/.dockvet.yaml", "b/Dockerfile", "c.Dockerfile"}
	if !slices.Equal(order, want) {
		t.Errorf("files in the output: %q, want %q\n%s", order, want, strings.Join(out.writes, ""))
	}
	if len(out.writes) < len(want) {
		t.Errorf("%d writes for %d files with findings: the output was not streamed", len(out.writes), len(want))
	}
	if !strings.Contains(errb.String(), "missing") {
		t.Errorf("stderr does not report the unreadable file:\n%s", errb.String())
	}
}

package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusArgs are the paths of the shared corpus as `make bench-cli` names
// them (relative to the module root, where TestMain runs the tests), or a
// skip when it is absent.
func corpusArgs(b *testing.B) []string {
	b.Helper()
	dir := filepath.Join("..", "shared", "corpus")
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		b.Skip("no corpus at " + dir)
	}
	defer f.Close()
	var paths []string
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		name, _, _ := strings.Cut(sc.Text(), "\t")
		if !first && name != "" {
			paths = append(paths, filepath.Join(dir, name))
		}
	}
	if len(paths) == 0 {
		b.Skip("empty corpus manifest")
	}
	return paths
}

// BenchmarkCLICorpus is `dockvet lint -f json` over the corpus in process:
// what the command does around the engine (discovery, reading, build
// contexts, the stream, JSON), which BenchmarkCorpusLint leaves out.
// Profile it (-cpuprofile) to see the shares of a corpus run; bench-cli
// measures the binary itself.
func BenchmarkCLICorpus(b *testing.B) {
	paths := corpusArgs(b)
	args := append([]string{"lint", "-f", "json", "--fail-on", "none", "--offline", "--no-cache"}, paths...)
	getenv := func(k string) string {
		if k == "DOCKVET_CACHE_DIR" {
			return b.TempDir()
		}
		return ""
	}
	b.ReportAllocs()
	for b.Loop() {
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: getenv, isTerminal: func(io.Writer) bool { return false }}
		if code := e.run(args); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
	b.ReportMetric(float64(len(paths)), "files/op")
}

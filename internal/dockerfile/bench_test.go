package dockerfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// corpusDir is the shared corpus of real-world Dockerfiles, relative to this
// package. Tests and benchmarks that need it skip when it is missing.
const corpusDir = "../../../shared/corpus"

// corpusFiles reads every Dockerfile of the corpus (every regular file but
// the manifest and README), or skips the test when the corpus is missing.
func corpusFiles(tb testing.TB) map[string][]byte {
	tb.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		tb.Skipf("corpus not available: %v", err)
	}
	out := map[string][]byte{}
	err := filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		if b := filepath.Base(p); b == "MANIFEST.tsv" || b == "README.md" {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = src
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(out) == 0 {
		tb.Skip("corpus is empty")
	}
	return out
}

func corpusList(b *testing.B) [][]byte {
	m := corpusFiles(b)
	out := make([][]byte, 0, len(m))
	for _, src := range m {
		out = append(out, src)
	}
	return out
}

// BenchmarkBuildKitFloor is the least any BuildKit-based linter must do:
// parser.Parse and instructions.Parse (no linter) on every corpus file.
func BenchmarkBuildKitFloor(b *testing.B) {
	files := corpusList(b)
	var size int64
	for _, src := range files {
		size += int64(len(src))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, src := range files {
			res, err := parser.Parse(bytes.NewReader(src))
			if err != nil {
				continue
			}
			_, _, _ = instructions.Parse(res.AST, nil)
		}
	}
	b.ReportMetric(float64(len(files)), "files/op")
}

// BenchmarkParse is dockvet's front end on every corpus file.
func BenchmarkParse(b *testing.B) {
	files := corpusList(b)
	var size int64
	for _, src := range files {
		size += int64(len(src))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, src := range files {
			_, _ = Parse("Dockerfile", src, Options{})
		}
	}
	b.ReportMetric(float64(len(files)), "files/op")
}

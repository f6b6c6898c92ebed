package dockerfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

// manyInstructions is a file of n instructions of one kind after a FROM:
// "run" (RUN a), "env" (ENV Vi=x) or "mix" (RUN, ENV, ARG, COPY, LABEL, a
// comment, WORKDIR, USER in turn).
func manyInstructions(kind string, n int) []byte {
	var b bytes.Buffer
	b.WriteString("FROM alpine:3.20\n")
	mix := []string{"RUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n", "ENV V%d=x\n", "ARG A%d=1\n",
		"COPY src%d /app/\n", "LABEL l%d=v\n", "# comment\nWORKDIR /app\n", "USER app\n"}
	for i := range n {
		switch kind {
		case "run":
			b.WriteString("RUN a\n")
		case "env":
			fmt.Fprintf(&b, "ENV V%d=x\n", i)
		default:
			line := mix[i%len(mix)]
			if strings.Contains(line, "%d") {
				fmt.Fprintf(&b, line, i)
			} else {
				b.WriteString(line)
			}
		}
	}
	return b.Bytes()
}

// BenchmarkParseManyInstructions parses files of a million instructions
// (issue 7, item 11: memory grew by about 5 KB per instruction). Besides
// bytes/op it reports the heap the parsed File keeps (retained-B/op) and
// both per instruction.
func BenchmarkParseManyInstructions(b *testing.B) {
	const n = 1_000_000
	for _, kind := range []string{"run", "env", "mix"} {
		b.Run(kind, func(b *testing.B) {
			src := manyInstructions(kind, n)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			var retained uint64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				f, _ := Parse("Dockerfile", src, Options{})
				runtime.GC()
				runtime.ReadMemStats(&after)
				retained = after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc)
				runtime.KeepAlive(f)
			}
			b.ReportMetric(float64(retained), "retained-B/op")
			b.ReportMetric(float64(retained)/n, "retained-B/instr")
		})
	}
}

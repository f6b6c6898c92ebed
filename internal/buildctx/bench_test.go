package buildctx

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		_ = os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// bench100k creates, once per test binary, a context of 100,000 small files
// in 1,000 directories (plus a node_modules tree and logs that .dockerignore
// excludes), outside any benchmark timer.
func bench100k(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "dockvet-walk100k-")
		if benchErr != nil {
			return
		}
		ignore := "node_modules\n**/*.log\n!keep.log\n"
		if benchErr = os.WriteFile(filepath.Join(benchDir, ".dockerignore"), []byte(ignore), 0o644); benchErr != nil {
			return
		}
		data := make([]byte, 100)
		for d := range 1000 {
			sub := filepath.Join(benchDir, "src", fmt.Sprintf("pkg%03d", d/100), fmt.Sprintf("mod%03d", d))
			if benchErr = os.MkdirAll(sub, 0o755); benchErr != nil {
				return
			}
			for f := range 100 {
				name := fmt.Sprintf("file%03d.go", f)
				if f%10 == 0 {
					name = fmt.Sprintf("file%03d.log", f)
				}
				if benchErr = os.WriteFile(filepath.Join(sub, name), data[:f], 0o644); benchErr != nil {
					return
				}
			}
		}
		nm := filepath.Join(benchDir, "node_modules", "big")
		if benchErr = os.MkdirAll(nm, 0o755); benchErr != nil {
			return
		}
		for f := range 1000 {
			if benchErr = os.WriteFile(filepath.Join(nm, fmt.Sprint(f)), nil, 0o644); benchErr != nil {
				return
			}
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir
}

// BenchmarkWalk100k measures a cold walk of a 100k-file context with a
// .dockerignore: Open plus `COPY . /app` (every directory read, every kept
// file lstat'ed, every entry matched against the patterns).
func BenchmarkWalk100k(b *testing.B) {
	dir := bench100k(b)
	b.ResetTimer()
	var files int
	for b.Loop() {
		c, err := Open(dir, "")
		if err != nil {
			b.Fatal(err)
		}
		s, err := c.Sources(".", SourceOptions{})
		if err != nil {
			b.Fatal(err)
		}
		files = s.Files
	}
	// 100,000 files, of which the *.log ones are ignored; node_modules is skipped unread.
	if files != 90_001 {
		b.Fatalf("counted %d files, want 90001", files)
	}
	b.ReportMetric(float64(100_000)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

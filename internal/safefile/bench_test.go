package safefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkRead compares, in one run, reading a typical Dockerfile (1.5 KB)
// that discovery examined through ReadExamined with ReadFileSame, which
// stats before opening and reads through an *os.File and io.ReadAll.
func BenchmarkRead(b *testing.B) {
	p := filepath.Join(b.TempDir(), "Dockerfile")
	if err := os.WriteFile(p, []byte(strings.Repeat("RUN apt-get update && apt-get install -y curl\n", 32)), 0o644); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	id := IDOf(fi)
	for _, bm := range []struct {
		name string
		read func(string, int64, FileID) ([]byte, error)
	}{
		{"ReadFileSame", ReadFileSame},
		{"ReadExamined", ReadExamined},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bm.read(p, 16<<20, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

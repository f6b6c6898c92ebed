package discover

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// BenchmarkExamineExplicit compares, in one run, examining 200 command-line
// files of 10 directories the long way (stat, then checkExplicitLink's
// resolution and lstat) with examineExplicit (one lstat per file, each
// directory resolved once).
func BenchmarkExamineExplicit(b *testing.B) {
	b.Chdir(b.TempDir())
	var args []string
	for d := range 10 {
		dir := fmt.Sprintf("org__repo%d", d)
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 20 {
			p := filepath.Join(dir, fmt.Sprintf("svc%d__Dockerfile", f))
			if err := os.WriteFile(p, []byte("FROM scratch\n"), 0o644); err != nil {
				b.Fatal(err)
			}
			args = append(args, p)
		}
	}
	wd := sync.OnceValue(getWorkDir)
	b.Run("stat+checkExplicitLink", func(b *testing.B) {
		for b.Loop() {
			for _, arg := range args {
				fi, err := os.Stat(arg)
				if err != nil {
					b.Fatal(err)
				}
				if err := checkExplicitLink(arg, fi.IsDir(), wd); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("examineExplicit", func(b *testing.B) {
		for b.Loop() {
			dirs := resolvedDirs{}
			for _, arg := range args {
				if _, err := examineExplicit(arg, wd, dirs); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

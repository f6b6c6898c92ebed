package dockerfile

import (
	"os"
	"path/filepath"
	"testing"
	"time"
	"fmt"
)

func TestExploreCorpus(t *testing.T) {
	root := "../../../shared/corpus"
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(p) != "MANIFEST.tsv" && filepath.Base(p) != "README.md" {
			files = append(files, p)
		}
		return nil
	})
	nfb, nin, nerr, nfail := 0, 0, 0, 0
	start := time.Now()
	for _, p := range files {
		src, _ := os.ReadFile(p)
		f, err := Parse(p, src, Options{})
		if err != nil { t.Errorf("%s: %v", p, err) }
		if len(f.Errors) > 0 { nerr++ }
		if len(f.Instructions) == 0 { nfail++ }
		for _, in := range f.Instructions {
			nin++
			if in.fallback {
				nfb++
				fmt.Printf("FALLBACK %s:%d\n", p, in.StartLine)
			}
		}
	}
	fmt.Println(len(files), "files", nin, "instructions", nfb, "fallbacks", nerr, "with errors", nfail, "no instructions", time.Since(start))
}

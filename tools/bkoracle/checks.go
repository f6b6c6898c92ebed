package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/bkcheck"
)

// Checks are BuildKit v0.34.2's 22 checks (frontend/dockerfile/linter/
// ruleset.go); dockvet's rule for each has BuildKit's name as its id.
var Checks = bkcheck.Names

// IsCheck reports whether id is one of BuildKit's check names.
func IsCheck(id string) bool { return slices.Contains(Checks, id) }

// sameFindingAs lists the dockvet rules that report a BuildKit check's
// finding under their own id on the same instruction (SPEC: "where
// DV300/DV301 report an instruction, JSONArgsRecommended is not reported
// again"): one of them on the line counts as the check's finding.
var sameFindingAs = map[string][]string{
	"JSONArgsRecommended": {"DV300", "DV301"},
}

// ReadManifest lists the files of a corpus MANIFEST.tsv (first column, a
// header line skipped), as paths relative to the manifest's directory.
func ReadManifest(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dir := filepath.Dir(path)
	var files []string
	sc := bufio.NewScanner(f)
	for n := 0; sc.Scan(); n++ {
		if n == 0 {
			continue
		}
		name, _, _ := strings.Cut(sc.Text(), "\t")
		if name = strings.TrimSpace(name); name != "" {
			files = append(files, filepath.Join(dir, name))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return files, nil
}

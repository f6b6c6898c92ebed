package manifest

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// Candidate is a file to read as a manifest.
type Candidate struct {
	Path string
	// Found is set for a file found in a directory (not named by the user):
	// one that holds no workload, or is not YAML at all (a Helm template),
	// is skipped rather than reported.
	Found bool
	// Root is the argument the file was found under (the path itself for
	// a file named explicitly).
	Root string
}

// Discover expands directories into the YAML and Compose files under them
// (recursively, skipping .git, node_modules and vendor; links are not
// followed); a file named explicitly is kept whatever its name. walkErr
// collects the paths that could not be walked.
func Discover(paths []string) (out []Candidate, walkErr map[string]error) {
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if walkErr == nil {
					walkErr = map[string]error{}
				}
				walkErr[path] = err
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if path == p && !d.IsDir() {
				out = append(out, Candidate{Path: path, Root: p})
				return nil
			}
			if d.IsDir() {
				switch d.Name() {
				case ".git", "node_modules", "vendor":
					return fs.SkipDir
				}
				return nil
			}
			name := strings.ToLower(d.Name())
			if d.Type().IsRegular() && (IsComposeName(name) || strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
				out = append(out, Candidate{Path: path, Found: true, Root: p})
			}
			return nil
		})
		if err != nil {
			if walkErr == nil {
				walkErr = map[string]error{}
			}
			walkErr[p] = err
		}
	}
	return out, walkErr
}

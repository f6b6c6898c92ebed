package engine

import (
	"os"
	"path/filepath"
	"sync"
)

// repoPaths finds, for a Dockerfile on disk, its path below the repository
// that holds it, so that a rule judging directory names (a ci/ or builder/
// directory marks a build image) never reads the directories above the
// checkout: /builds/dev/app/Dockerfile or /home/runner/work/api-ci/api-ci/
// must not change a finding. Safe for concurrent use.
type repoPaths struct {
	mu    sync.Mutex
	roots map[string]string // directory → its repository root, "" for none
	// lstat is the file system (tests replace it).
	lstat func(string) (os.FileInfo, error)
}

// RepoPath is the path of a Dockerfile below its repository, slash
// separated:
//   - a relative name that stays in the working directory is taken as it
//     is (pre-commit, CI and `dockvet lint .` run from the repository root);
//   - another file on disk is cut below the nearest directory up that holds
//     .git, or to its own name when none does;
//   - stdin keeps its name.
func (rp *repoPaths) RepoPath(name, path string) string {
	if path == "" || !filepath.IsAbs(name) && filepath.IsLocal(name) {
		return filepath.ToSlash(name)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Base(name)
	}
	root := rp.root(filepath.Dir(abs))
	if root == "" {
		return filepath.Base(name)
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || !filepath.IsLocal(rel) {
		return filepath.Base(name)
	}
	return filepath.ToSlash(rel)
}

// root is the nearest directory from dir up holding .git ("" for none),
// each directory examined once.
func (rp *repoPaths) root(dir string) string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.roots == nil {
		rp.roots = map[string]string{}
	}
	if rp.lstat == nil {
		rp.lstat = os.Lstat
	}
	var walked []string
	root := ""
	for d := dir; ; {
		if r, ok := rp.roots[d]; ok {
			root = r
			break
		}
		walked = append(walked, d)
		if _, err := rp.lstat(filepath.Join(d, ".git")); err == nil {
			root = d
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	for _, d := range walked {
		rp.roots[d] = root
	}
	return root
}

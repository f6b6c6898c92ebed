package engine

import (
	"path/filepath"
	"sync"

	"github.com/dockvet/dockvet/internal/config"
)

// repoPaths finds, for a Dockerfile on disk, its path below the repository
// that holds it, so that a rule judging directory names (a ci/ or builder/
// directory marks a build image) never reads the directories above the
// checkout: /builds/dev/app/Dockerfile or /home/runner/work/api-ci/api-ci/
// must not change a finding. Safe for concurrent use.
type repoPaths struct {
	mu     sync.Mutex
	finder *config.Finder // remembers which directories hold .git
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

// root is the nearest directory from dir up holding .git ("" for none).
func (rp *repoPaths) root(dir string) string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.finder == nil {
		rp.finder = config.NewFinder()
	}
	return rp.finder.RepoRoot(dir)
}

package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/discover"
)

// FileNames are the config file names Find looks for, preferred first.
var FileNames = []string{".dockvet.yaml", ".dockvet.yml"}

// Find returns the nearest config file in startDir or one of its parents, or
// "" if there is none. The search stops after the repository root (the first
// directory holding .git, which is a file in worktrees and submodules) so that
// a config from an unrelated enclosing directory is never picked up, and at
// the filesystem root when there is no repository.
//
// The result is built from startDir as given ("../.dockvet.yaml" for a
// relative startDir), because paths are printed as the user would type them.
// Parents are taken lexically, as the shell's "cd .." does.
func Find(startDir string) (string, error) { return (*Finder)(nil).Find(startDir) }

// FindHadolint is Find for hadolint's config names (HadolintFileNames). It
// is meant for when Find found nothing: a .dockvet.yaml anywhere up to the
// root wins over a nearer .hadolint.yaml, since a repository that has one
// has migrated. hadolint's own user-wide files ($XDG_CONFIG_HOME/hadolint.yaml,
// ~/.config/hadolint.yaml) are deliberately not read: a setting outside the
// repository would make the same commit pass on one machine and fail in CI.
func FindHadolint(startDir string) (string, error) { return (*Finder)(nil).FindHadolint(startDir) }

// A Finder is Find and FindHadolint remembering what each path it examined
// is, for a run that looks up the config of many directories: the parents
// they share are examined once, not once per directory (2,190 directories
// of a run were 52,000 failing stats). It is not safe for concurrent use; a
// nil Finder remembers nothing.
type Finder struct {
	wd    string           // the working directory, for relative start directories
	files map[string]bool  // isFile
	roots map[string]bool  // holds .git
	errs  map[string]error // either failed other than by not existing
}

// NewFinder returns an empty Finder.
func NewFinder() *Finder {
	return &Finder{files: map[string]bool{}, roots: map[string]bool{}, errs: map[string]error{}}
}

// Abs is filepath.Abs with the working directory read once (each
// filepath.Abs of a relative path asks the system for it again).
func (fd *Finder) Abs(dir string) (string, error) {
	if fd == nil || filepath.IsAbs(dir) {
		return filepath.Abs(dir)
	}
	if fd.wd == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		fd.wd = wd
	}
	return filepath.Join(fd.wd, dir), nil
}

// Find is config.Find through the Finder.
func (fd *Finder) Find(startDir string) (string, error) { return fd.find(startDir, FileNames) }

// FindHadolint is config.FindHadolint through the Finder.
func (fd *Finder) FindHadolint(startDir string) (string, error) {
	return fd.find(startDir, HadolintFileNames)
}

// isFile is isFile, remembered.
func (fd *Finder) isFile(path string) (bool, error) {
	if fd == nil {
		return isFile(path)
	}
	if ok, seen := fd.files[path]; seen {
		return ok, fd.errs[path]
	}
	ok, err := isFile(path)
	fd.files[path], fd.errs[path] = ok, err
	return ok, err
}

// isRoot reports whether dir holds .git (a directory, or a file in
// worktrees and submodules), remembered.
func (fd *Finder) isRoot(dir string) (bool, error) {
	p := filepath.Join(dir, ".git")
	if fd != nil {
		if ok, seen := fd.roots[p]; seen {
			return ok, fd.errs[p]
		}
	}
	_, err := os.Lstat(p)
	ok := err == nil
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	if fd != nil {
		fd.roots[p], fd.errs[p] = ok, err
	}
	return ok, err
}

func (fd *Finder) find(startDir string, names []string) (string, error) {
	abs, err := fd.Abs(startDir)
	if err != nil {
		return "", err
	}
	for up := 0; ; up++ {
		for _, name := range names {
			ok, err := fd.isFile(filepath.Join(abs, name))
			if err != nil {
				return "", err
			}
			if ok {
				return filepath.Join(startDir, strings.Repeat(".."+string(filepath.Separator), up), name), nil
			}
		}
		if root, err := fd.isRoot(abs); err != nil {
			return "", err
		} else if root {
			return "", nil // repository root: look no further
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return "", nil
		}
		abs = parent
	}
}

// isFile reports whether path exists and is not a directory; a missing path
// is not an error, but an unreadable one is, so that a config the user cannot
// read is reported instead of silently skipped.
func isFile(path string) (bool, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !fi.IsDir(), nil
}

// LinkOutsideError is a config file found by Find that is a symbolic link to
// a file outside its repository.
type LinkOutsideError struct {
	Path string
	Root string // the repository root (or the config's directory)
}

func (e *LinkOutsideError) Error() string {
	return e.Path + " is a symbolic link to a file outside " + e.Root + ": not read"
}

// LinkTargetError is a config file found by Find that is a symbolic link
// inside its repository to a file that is not a config: one not named
// .dockvet.yaml or .dockvet.yml, or one in .git (where CI keeps its token).
type LinkTargetError struct {
	Path string
	// Reason completes "a symbolic link ...".
	Reason string
}

func (e *LinkTargetError) Error() string {
	return e.Path + " is a symbolic link " + e.Reason + ": not read"
}

// LoadFound loads a config file that Find returned. Such a file belongs to
// the repository under review, which may be hostile: a .dockvet.yaml linked
// to ~/.aws/credentials, .git/config or a KEY=VALUE file would print its
// content in the parse error. So a symbolic link is followed only to a file
// inside the repository (the nearest directory above it holding .git, or its
// own directory when there is none), not under .git, node_modules or vendor,
// and itself named .dockvet.yaml or .dockvet.yml. A path given with --config
// is the user's choice: Load it.
func LoadFound(path string) (*Config, error) {
	if err := checkFoundLink(path, FileNames); err != nil {
		return nil, err
	}
	return Load(path)
}

// LoadFoundHadolint is LoadFound for a file FindHadolint returned: the same
// link checks, with hadolint's file names.
func LoadFoundHadolint(path string) (*Hadolint, error) {
	if err := checkFoundLink(path, HadolintFileNames); err != nil {
		return nil, err
	}
	return LoadHadolint(path)
}

// checkFoundLink refuses a found config that is a symbolic link leading out
// of its repository, into an untrusted directory, or to a file not named as
// one of names.
func checkFoundLink(path string, names []string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		root := repoRoot(filepath.Dir(abs))
		realRoot, err := filepath.EvalSymlinks(root)
		if err != nil {
			return err
		}
		target, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return err
		}
		if !within(realRoot, target) {
			return &LinkOutsideError{Path: path, Root: root}
		}
		rel, _ := filepath.Rel(realRoot, target) // within: no error
		// No config lives in the directories discovery skips: version-
		// control internals (.git/config holds CI credentials) and other
		// people's code.
		for _, part := range strings.Split(rel, string(filepath.Separator)) {
			if discover.SkipDir(part) {
				return &LinkTargetError{Path: path, Reason: "into " + part}
			}
		}
		if !slices.Contains(names, filepath.Base(target)) {
			return &LinkTargetError{Path: path, Reason: "to a file not named " + strings.Join(names, " or ")}
		}
	}
	return nil
}

// repoRoot is the nearest directory from dir up holding .git, or dir.
func repoRoot(dir string) string {
	if root := (*Finder)(nil).RepoRoot(dir); root != "" {
		return root
	}
	return dir
}

// RepoRoot is the nearest directory from dir (absolute) up holding .git, ""
// when none does; each directory is examined once per Finder.
func (fd *Finder) RepoRoot(dir string) string {
	for d := dir; ; {
		if ok, _ := fd.isRoot(d); ok {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// within reports whether path is root or below it (both absolute and clean).
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
func Find(startDir string) (string, error) {
	abs, err := filepath.Abs(startDir)
	if err != nil {
		return "", err
	}
	for up := 0; ; up++ {
		for _, name := range FileNames {
			ok, err := isFile(filepath.Join(abs, name))
			if err != nil {
				return "", err
			}
			if ok {
				return filepath.Join(startDir, strings.Repeat(".."+string(filepath.Separator), up), name), nil
			}
		}
		if _, err := os.Lstat(filepath.Join(abs, ".git")); err == nil {
			return "", nil // repository root: look no further
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
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

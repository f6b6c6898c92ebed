// Package discover turns the paths given to "dockvet lint" into the list of
// Dockerfiles to lint.
package discover

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// File is one file to lint.
type File struct {
	// Path is the name to print: relative arguments stay relative, and files
	// found in a directory are joined onto the argument with filepath.Join.
	Path string
	// Stdin means the content comes from standard input, not from Path.
	Stdin bool
}

// Error is a path that could not be examined. Discovery goes on after it.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string {
	// The os package already names the path ("open x: permission denied");
	// saying it twice would only add noise.
	var pe *fs.PathError
	if errors.As(e.Err, &pe) && pe.Path == e.Path {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// skipDirs are never descended into: they hold other people's code (vendor,
// node_modules) or version-control internals, and they can be huge.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true}

// Files expands the command-line arguments into files to lint. With no
// arguments it lints ".", as the command line documents.
//
// "-" is standard input, named stdinName (or "-") in the result. A path that
// is not a directory is returned whatever its name, since the user asked for
// it. A directory is walked recursively for files accepted by
// IsDockerfileName, skipping skipDirs and never following symbolic links to
// directories, so that link loops cannot hang the walk. Results keep the
// argument order; within one directory argument they are sorted. A file
// reached twice is listed once, at its first place. Problems are collected as
// *Error values and do not stop discovery.
func Files(args []string, stdinName string) ([]File, []error) {
	if len(args) == 0 {
		args = []string{"."}
	}
	if stdinName == "" {
		stdinName = "-"
	}
	var (
		files []File
		errs  []error
		seen  = map[string]bool{}
	)
	add := func(f File) {
		key := "\x00stdin" // cannot collide with a real path
		if !f.Stdin {
			key = identity(f.Path)
		}
		if !seen[key] {
			seen[key] = true
			files = append(files, f)
		}
	}

	for _, arg := range args {
		if arg == "-" {
			add(File{Path: stdinName, Stdin: true})
			continue
		}
		fi, err := os.Stat(arg)
		if err != nil {
			errs = append(errs, &Error{Path: arg, Err: err})
			continue
		}
		if !fi.IsDir() {
			add(File{Path: arg})
			continue
		}
		var found []string
		walk(arg, &found, &errs)
		slices.Sort(found)
		for _, p := range found {
			add(File{Path: p})
		}
	}
	return files, errs
}

// identity is the key under which a path is deduplicated, so that "Dockerfile",
// "./Dockerfile" and its absolute form count as one file.
func identity(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// walk appends to found the Dockerfiles under dir, and to errs what could not
// be read. It uses Lstat semantics: a symbolic link is followed only when it
// points at a regular file, never into a directory.
func walk(dir string, found *[]string, errs *[]error) {
	// os.ReadDir returns what it could read along with the error, so a
	// partly readable directory still contributes its entries.
	entries, err := os.ReadDir(dir)
	if err != nil {
		*errs = append(*errs, &Error{Path: dir, Err: err})
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		switch {
		case e.IsDir():
			if !skipDirs[name] {
				walk(path, found, errs)
			}
		case !IsDockerfileName(name):
			// not ours, whatever its type
		case e.Type().IsRegular():
			*found = append(*found, path)
		case e.Type()&fs.ModeSymlink != 0:
			fi, err := os.Stat(path)
			switch {
			case err != nil:
				// A dangling Dockerfile link is almost certainly a mistake
				// worth reporting, not a file to skip silently.
				*errs = append(*errs, &Error{Path: path, Err: err})
			case fi.Mode().IsRegular():
				*found = append(*found, path)
			}
		default:
			// Devices, sockets and pipes are never Dockerfiles, and reading
			// a pipe could block forever.
		}
	}
}

// IsDockerfileName reports whether a file's base name marks it as a
// Dockerfile: Dockerfile, Containerfile, Dockerfile.*, Containerfile.*,
// *.Dockerfile, *.dockerfile, *.Containerfile and *.containerfile. Matching is
// case-sensitive, as the patterns are. Per-Dockerfile ignore files
// (Dockerfile.dockerignore, app.Dockerfile.dockerignore, and Podman's
// .containerignore) match Dockerfile.* but are not Dockerfiles, so they are
// excluded.
func IsDockerfileName(base string) bool {
	if strings.HasSuffix(base, ".dockerignore") || strings.HasSuffix(base, ".containerignore") {
		return false
	}
	for _, stem := range []string{"Dockerfile", "Containerfile"} {
		if base == stem || strings.HasPrefix(base, stem+".") {
			return true
		}
	}
	for _, ext := range []string{".Dockerfile", ".dockerfile", ".Containerfile", ".containerfile"} {
		if strings.HasSuffix(base, ext) {
			return true
		}
	}
	return false
}

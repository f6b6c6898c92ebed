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
	if msg := e.Err.Error(); strings.HasPrefix(msg, e.Path+" ") {
		return msg // "x is not a regular file", "x is larger than 16 MiB"
	}
	return e.Path + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// skipDirs are never descended into: they hold other people's code (vendor,
// node_modules) or version-control internals, and they can be huge.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true}

// Skipped is a Dockerfile-named entry of a walked directory that is not
// linted, with the reason: a symbolic link that leaves the tree, or a FIFO,
// device or socket. The CLI prints these as warnings; they do not fail the
// run. Reason never quotes the target's content.
type Skipped struct {
	Path   string
	Reason string
}

func (s Skipped) String() string { return s.Path + ": " + s.Reason }

// NoDockerfileError is a directory given explicitly that holds no
// Dockerfile: most likely a wrong path in a CI job, which must not pass
// silently.
type NoDockerfileError struct{ Dir string }

func (e *NoDockerfileError) Error() string { return "no Dockerfile found under " + e.Dir }

// Result is what Files found.
type Result struct {
	Files []File
	// Skipped are entries of walked directories left out (see Skipped).
	Skipped []Skipped
	// Errors are paths that could not be examined (*Error) and directory
	// arguments with no Dockerfile (*NoDockerfileError). Discovery goes on
	// after each.
	Errors []error
}

// Files expands the command-line arguments into files to lint. With no
// arguments it lints ".", as the command line documents.
//
// "-" is standard input, named stdinName (or "-") in the result. A path that
// is not a directory is returned whatever its name, since the user asked for
// it (the reader refuses it if it is not a regular file). A directory is
// walked recursively for files accepted by IsDockerfileName, skipping
// skipDirs and never following symbolic links to directories, so that link
// loops cannot hang the walk. A walked repository may be hostile: a
// Dockerfile-named symbolic link is followed only when its target is a
// regular file inside the directory argument (both resolved), so that a link
// to /proc/self/environ or ~/.docker/config.json is never read. Results keep
// the argument order; within one directory argument they are sorted. A file
// reached twice is listed once, at its first place.
func Files(args []string, stdinName string) Result {
	return find(args, stdinName, os.ReadDir)
}

// find is Files with the directory reader as a parameter, so that tests can
// make a directory unreadable whoever runs them (root reads any directory).
func find(args []string, stdinName string, readDir func(string) ([]fs.DirEntry, error)) Result {
	explicit := len(args) > 0
	if !explicit {
		args = []string{"."}
	}
	if stdinName == "" {
		stdinName = "-"
	}
	var (
		res         Result
		seen        = map[string]bool{}
		skippedSeen = map[string]bool{}
	)
	add := func(f File) {
		key := "\x00stdin" // cannot collide with a real path
		if !f.Stdin {
			key = identity(f.Path)
		}
		if !seen[key] {
			seen[key] = true
			res.Files = append(res.Files, f)
		}
	}

	for _, arg := range args {
		if arg == "-" {
			add(File{Path: stdinName, Stdin: true})
			continue
		}
		fi, err := os.Stat(arg)
		if err != nil {
			res.Errors = append(res.Errors, &Error{Path: arg, Err: err})
			continue
		}
		if !fi.IsDir() {
			add(File{Path: arg})
			continue
		}
		w := walker{Result: &res, arg: arg, readDir: readDir, skippedSeen: skippedSeen}
		if w.root, err = filepath.EvalSymlinks(arg); err == nil {
			w.root, err = filepath.Abs(w.root)
		}
		if err != nil {
			res.Errors = append(res.Errors, &Error{Path: arg, Err: err})
			continue
		}
		errsBefore := len(res.Errors)
		w.walk(arg)
		if explicit && len(w.found) == 0 && len(res.Errors) == errsBefore {
			res.Errors = append(res.Errors, &NoDockerfileError{Dir: arg})
		}
		slices.Sort(w.found)
		for _, p := range w.found {
			add(File{Path: p})
		}
	}
	return res
}

// identity is the key under which a path is deduplicated, so that "Dockerfile",
// "./Dockerfile" and its absolute form count as one file.
func identity(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// walker walks one directory argument.
type walker struct {
	*Result
	arg     string // the directory argument as given
	root    string // arg, absolute with every link resolved
	found   []string
	readDir func(string) ([]fs.DirEntry, error) // os.ReadDir but in tests
	// skippedSeen holds the identity of every entry skipped in this run.
	skippedSeen map[string]bool
}

// walk appends to found the Dockerfiles under dir, and to Errors what could
// not be read. It uses Lstat semantics: a symbolic link is followed only when
// it points at a regular file inside the root, never into a directory.
func (w *walker) walk(dir string) {
	// os.ReadDir returns what it could read along with the error, so a
	// partly readable directory still contributes its entries.
	entries, err := w.readDir(dir)
	if err != nil {
		w.Errors = append(w.Errors, &Error{Path: dir, Err: err})
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		switch {
		case e.IsDir():
			if !skipDirs[name] {
				w.walk(path)
			}
		case !IsDockerfileName(name):
			// not ours, whatever its type
		case e.Type().IsRegular():
			w.found = append(w.found, path)
		case e.Type()&fs.ModeSymlink != 0:
			w.link(path)
		default:
			// Reading a pipe could block forever, a device never end.
			w.skip(path, "not a regular file ("+kind(e.Type())+")")
		}
	}
}

// link decides on a Dockerfile-named symbolic link found in the walk.
func (w *walker) link(path string) {
	target, err := filepath.EvalSymlinks(path)
	if err == nil {
		target, err = filepath.Abs(target)
	}
	if err != nil {
		// A dangling Dockerfile link is almost certainly a mistake worth
		// reporting, not a file to skip silently.
		w.Errors = append(w.Errors, &Error{Path: path, Err: err})
		return
	}
	if rel, err := filepath.Rel(w.root, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		w.skip(path, "symbolic link to a file outside "+w.arg+": not followed")
		return
	}
	fi, err := os.Stat(target)
	switch {
	case err != nil:
		w.Errors = append(w.Errors, &Error{Path: path, Err: err})
	case fi.Mode().IsRegular():
		w.found = append(w.found, path)
	case fi.IsDir():
		// A directory named like a Dockerfile: links to directories are
		// never followed.
	default:
		w.skip(path, "symbolic link to "+kind(fi.Mode()))
	}
}

// skip records a skipped entry once, however many arguments reach it.
func (w *walker) skip(path, reason string) {
	key := identity(path)
	if w.skippedSeen[key] {
		return
	}
	w.skippedSeen[key] = true
	w.Skipped = append(w.Skipped, Skipped{Path: path, Reason: reason})
}

// kind names a non-regular file type.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// IsDockerfileName reports whether a file's base name marks it as a
// Dockerfile: Dockerfile and Containerfile in any case, Dockerfile.*,
// Dockerfile-*, Dockerfile_*, Containerfile.*, *.Dockerfile, *.dockerfile,
// *.Containerfile and *.containerfile. Per-Dockerfile ignore files
// (Dockerfile.dockerignore, app.Dockerfile.dockerignore, and Podman's
// .containerignore) match Dockerfile.* but are not Dockerfiles, so they are
// excluded.
func IsDockerfileName(base string) bool {
	if strings.HasSuffix(base, ".dockerignore") || strings.HasSuffix(base, ".containerignore") {
		return false
	}
	if strings.EqualFold(base, "Dockerfile") || strings.EqualFold(base, "Containerfile") {
		return true
	}
	for _, prefix := range []string{"Dockerfile.", "Dockerfile-", "Dockerfile_", "Containerfile."} {
		if strings.HasPrefix(base, prefix) && len(base) > len(prefix) {
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

// Package discover turns the paths given to "dockvet lint" into the list of
// Dockerfiles to lint.
package discover

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/dockvet/dockvet/internal/safefile"
)

// File is one file to lint.
type File struct {
	// Path is the name to print: relative arguments stay relative, and files
	// found in a directory are joined onto the argument with filepath.Join.
	Path string
	// Stdin means the content comes from standard input, not from Path.
	Stdin bool
	// ID is the file discovery examined (device and inode of the link's
	// target for a link): the reader refuses Path if it then opens another
	// file (safefile.ReadFileSame), so a link swapped after the checks
	// below is never read. Zero when unknown.
	ID safefile.FileID
	// Regular means discovery found a regular file (through the link, for
	// a link) with identity ID, so the reader need not stat it again before
	// opening it (safefile.ReadExamined).
	Regular bool
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

// LinkError is a path given on the command line that is, or goes through, a
// symbolic link dockvet does not follow: one that resolves outside the
// working directory, into a skipped directory (.git holds CI credentials),
// or, for a file, to a name that is not a Dockerfile's. The message names
// the link, never its target.
type LinkError struct {
	Path string
	// Through is true when a directory on the way is the link, not Path.
	Through bool
	// Reason completes "a symbolic link ...": "to a path outside the
	// working directory".
	Reason string
}

func (e *LinkError) Error() string {
	verb := "is"
	if e.Through {
		verb = "goes through"
	}
	return e.Path + " " + verb + " a symbolic link " + e.Reason + ": not followed; name the target itself"
}

// SkipDir reports a directory never descended into: it holds other
// people's code (vendor, node_modules) or version-control internals, and it
// can be huge. Nothing in it is read as the repository's own (config files
// neither: internal/config).
func SkipDir(name string) bool {
	return name == ".git" || name == "node_modules" || name == "vendor"
}

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
// it (the reader refuses it if it is not a regular file). A path that is or
// goes through a symbolic link is a *LinkError unless the link stays inside
// the working directory (see checkExplicitLink). A directory is
// walked recursively for files accepted by IsDockerfileName, skipping
// SkipDir and never following symbolic links to directories, so that link
// loops cannot hang the walk. A walked repository may be hostile: a
// Dockerfile-named symbolic link is followed only when its target is a
// regular file inside the directory argument (both resolved), not in a
// skipped directory, and itself named like a Dockerfile, so that a link to
// /proc/self/environ, ~/.docker/config.json or .git/config is never read. Results keep
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
	// The working directory, plain and resolved, is the same for every
	// argument: asked once, not per file (each getwd is two stats).
	wd := sync.OnceValue(getWorkDir)
	dirs := resolvedDirs{}
	add := func(f File) {
		key := "\x00stdin" // cannot collide with a real path
		switch {
		case f.Stdin:
		case filepath.IsAbs(f.Path):
			key = filepath.Clean(f.Path)
		case wd().wd != "":
			key = filepath.Join(wd().wd, f.Path) // identity, without a getwd per file
		default:
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
		fi, err := examineExplicit(arg, wd, dirs)
		if err != nil {
			res.Errors = append(res.Errors, err)
			continue
		}
		if !fi.IsDir() {
			add(File{Path: arg, ID: safefile.IDOf(fi), Regular: fi.Mode().IsRegular()})
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
		slices.SortFunc(w.found, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
		for _, f := range w.found {
			add(f)
		}
	}
	return res
}

// examineExplicit stats a command-line path (following links) and refuses
// it as checkExplicitLink does. A CI job or a shell glob names many files of
// a few directories: a path that is not itself a link and has no ".."
// element is examined with one lstat, its directory's links resolved once
// per directory (dirs), instead of a stat, an lstat and a resolution of
// every element of the path per file. Anything else goes the long way,
// which also gives the errors their usual wording.
func examineExplicit(arg string, wd func() workDir, dirs resolvedDirs) (fs.FileInfo, error) {
	if plainPath(arg) {
		if fi, err := os.Lstat(arg); err == nil && fi.Mode()&fs.ModeSymlink == 0 {
			target, err := dirs.resolve(arg)
			if err == nil {
				return fi, checkResolvedLink(arg, fi.IsDir(), false, target, wd)
			}
		}
	}
	fi, err := os.Stat(arg)
	if err != nil {
		return nil, &Error{Path: arg, Err: err}
	}
	if err := checkExplicitLink(arg, fi.IsDir(), wd); err != nil {
		return nil, err
	}
	return fi, nil
}

// plainPath reports whether path can be resolved as its directory's
// resolution joined with its base name: no ".." element after a named one
// (the kernel resolves a link before the ".." that follows it, filepath.Dir
// would cancel the two; a leading "..", as in ../other-repo/Dockerfile,
// follows the working directory, which is no link, and filepath.Dir keeps
// it) and no trailing separator. Windows paths always go the long way:
// EvalSymlinks also changes their case and short names there.
func plainPath(path string) bool {
	if runtime.GOOS == "windows" || path == "" || os.IsPathSeparator(path[len(path)-1]) {
		return false
	}
	named := false
	for _, part := range strings.Split(filepath.ToSlash(path), "/") {
		switch part {
		case ".":
		case "..":
			if named {
				return false
			}
		default:
			named = true
		}
	}
	return true
}

// resolvedDirs memoizes filepath.EvalSymlinks of the directories of
// command-line paths.
type resolvedDirs map[string]string

// resolve is filepath.EvalSymlinks(path) for a plainPath whose last element
// is not a symbolic link.
func (d resolvedDirs) resolve(path string) (string, error) {
	dir := filepath.Dir(path)
	real, ok := d[dir]
	if !ok {
		var err error
		if real, err = filepath.EvalSymlinks(dir); err != nil {
			return "", err
		}
		d[dir] = real
	}
	return filepath.Join(real, filepath.Base(path)), nil
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
	found   []File
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
			if !SkipDir(name) {
				w.walk(path)
			}
		case !IsDockerfileName(name):
			// not ours, whatever its type
		case e.Type().IsRegular():
			w.regular(path, e)
		case e.Type()&fs.ModeSymlink != 0:
			w.link(path)
		default:
			// Reading a pipe could block forever, a device never end.
			w.skip(path, "not a regular file ("+safefile.Describe(e.Type())+")")
		}
	}
}

// regular adds a regular file of the walk, with its identity.
func (w *walker) regular(path string, e fs.DirEntry) {
	f := File{Path: path}
	if fi, err := e.Info(); err == nil {
		f.ID, f.Regular = safefile.IDOf(fi), fi.Mode().IsRegular()
	}
	w.found = append(w.found, f)
}

// link decides on a Dockerfile-named symbolic link found in the walk. It is
// followed only to a regular file inside the root whose own name is a
// Dockerfile's and that is not in a skipped directory: a repository under
// review may link "Dockerfile" to .git/config (where CI keeps its token),
// to a credentials file an earlier step wrote into the workspace, or out of
// the tree, and the text format prints what it reads as source lines.
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
	if reason := linkTargetProblem(w.root, w.arg, target); reason != "" {
		w.skip(path, "symbolic link "+reason+": not followed")
		return
	}
	fi, err := os.Stat(target)
	switch {
	case err != nil:
		w.Errors = append(w.Errors, &Error{Path: path, Err: err})
	case fi.Mode().IsRegular():
		if !IsDockerfileName(filepath.Base(target)) {
			w.skip(path, "symbolic link to a file whose name is not a Dockerfile's: not followed")
			return
		}
		w.found = append(w.found, File{Path: path, ID: safefile.IDOf(fi), Regular: true})
	case fi.IsDir():
		// A directory named like a Dockerfile: links to directories are
		// never followed.
	default:
		w.skip(path, "symbolic link to "+safefile.Describe(fi.Mode()))
	}
}

// linkTargetProblem says why a link whose resolved, absolute target is
// target must not be followed from root, printed as rootName ("" when it
// may): "to a path outside ROOTNAME", or "into .git" when a component of the
// target's path below root is a skipped directory.
func linkTargetProblem(root, rootName, target string) string {
	if !inside(root, target) {
		return "to a path outside " + rootName
	}
	rel, _ := filepath.Rel(root, target) // inside: no error
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		if SkipDir(part) {
			return "into " + part
		}
	}
	return ""
}

// inside reports whether path is root or below it (both absolute and clean).
func inside(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// checkExplicitLink refuses a command-line path that is, or goes through, a
// symbolic link, unless the link resolves inside the working directory (both
// resolved), not into a skipped directory, and, for a file, to a name
// IsDockerfileName accepts. A shell glob such as "services/*" or a CI job's
// list of changed files is as hostile as the repository: a link there to /
// or to ~/.docker/config.json must not be walked or read. A plain path is
// the user's choice and is allowed wherever it is. Only the components below
// the working directory are examined for links (those above it are the
// user's); for a path outside the working directory, only its last one.
func checkExplicitLink(arg string, isDir bool, workDir func() workDir) error {
	if w := workDir(); w.err != nil {
		return &Error{Path: arg, Err: w.err}
	}
	// The path as given, not abs: cleaning "a/../b" drops a, which the
	// kernel resolves first when it is a link.
	target, err := filepath.EvalSymlinks(arg)
	if err != nil {
		return &Error{Path: arg, Err: err}
	}
	fi, err := os.Lstat(arg)
	if err != nil {
		return &Error{Path: arg, Err: err}
	}
	return checkResolvedLink(arg, isDir, fi.Mode()&fs.ModeSymlink != 0, target, workDir)
}

// checkResolvedLink is checkExplicitLink once arg is known to be a link
// itself or not (isLink), and resolved to target by filepath.EvalSymlinks.
func checkResolvedLink(arg string, isDir, isLink bool, target string, workDir func() workDir) error {
	w := workDir()
	if w.err != nil {
		return &Error{Path: arg, Err: w.err}
	}
	// The kernel resolves a relative path from the working directory
	// itself, and EvalSymlinks gives a relative target from there too: both
	// are read against realWD, not against getwd's $PWD, which may reach
	// the same directory through a link (cd into a linked directory; /tmp
	// on macOS). An absolute path is below the working directory in either
	// spelling.
	wd, realWD := w.wd, w.real
	abs, base := arg, realWD
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(realWD, arg)
	} else if !inside(realWD, abs) {
		base = wd
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(realWD, target)
	}
	through := false
	if rel, err := filepath.Rel(base, abs); err == nil && inside(base, abs) {
		// Below the working directory: any link on the way changes where
		// the path leads (lexical "a/../b" too, when a is a link).
		through = !isLink && target != filepath.Join(realWD, rel)
	}
	if !isLink && !through {
		return nil
	}
	if reason := linkTargetProblem(realWD, "the working directory", target); reason != "" {
		return &LinkError{Path: arg, Through: through, Reason: reason}
	}
	if !isDir && !IsDockerfileName(filepath.Base(target)) {
		return &LinkError{Path: arg, Through: through, Reason: "to a file whose name is not a Dockerfile's"}
	}
	return nil
}

// workDir is the working directory as getwd gives it and with its links
// resolved.
type workDir struct {
	wd, real string
	err      error
}

func getWorkDir() workDir {
	wd, err := os.Getwd()
	if err != nil {
		return workDir{err: err}
	}
	real, err := filepath.EvalSymlinks(wd)
	return workDir{wd: wd, real: real, err: err}
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

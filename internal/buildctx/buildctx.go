// Package buildctx reads a Docker build context the way BuildKit sends it:
// the directory tree minus what the .dockerignore file excludes, with sizes
// only (file contents are never read). Rules ask it how many bytes a COPY or
// ADD source adds to a layer.
//
// The semantics follow BuildKit (the dockerfile frontend, fsutil and the
// file-op copy):
//
//   - The ignore file is <Dockerfile name>.dockerignore next to the
//     Dockerfile when it exists, else .dockerignore at the context root.
//     Patterns are read with github.com/moby/patternmatcher/ignorefile
//     (comments, `!` exceptions, cleaned, leading "/" dropped) and matched
//     with patternmatcher, using the parent directory's match results as
//     fsutil's walker does. With BuildKit an ignored Dockerfile or
//     .dockerignore is not in the context either (the classic builder used
//     to add them back; BuildKit sends the Dockerfile separately).
//   - Symbolic links inside the context are entries of their own (their size
//     is the length of the target); the walk never follows them, so a loop
//     cannot hang it and nothing outside the context is read.
//   - A COPY/ADD source is cleaned as path.Join("/", src): "../x" is x at the
//     context root, exactly as BuildKit resolves it. The source itself is
//     followed when it is a symlink, resolved inside the context as if the
//     context were the file-system root (a link to /etc names <context>/etc).
//   - Wildcards are filepath.Match patterns, matched component by component
//     below the first component that has one; a directory source adds its
//     contents, recursively.
//
// The tree is read lazily, one directory at a time and each directory at most
// once, so a COPY of two files does not walk a monorepo; a Context is safe for
// concurrent use and meant to be shared by every Dockerfile that uses the same
// directory. Reading is bounded by Options (entries and time): past the bound
// sizes become lower bounds and Problems says so, instead of hanging.
package buildctx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/dockvet/dockvet/internal/safefile"
)

// Defaults of Options.
const (
	DefaultMaxEntries = 2_000_000
	DefaultTimeout    = 30 * time.Second
)

// maxLinkHops bounds symlink resolution of a source (Linux allows 40).
const maxLinkHops = 40

// ErrLinkLoop is returned for a source whose symbolic links do not resolve.
var ErrLinkLoop = errors.New("too many levels of symbolic links")

// Options bound the reading of a context.
type Options struct {
	// MaxEntries is how many directory entries are read at most (default
	// DefaultMaxEntries).
	MaxEntries int
	// Timeout is the time spent reading directories at most (default
	// DefaultTimeout).
	Timeout time.Duration
}

// Context is one build context directory with its ignore rules.
type Context struct {
	dir        string // as given
	ignoreFile string // the ignore file read, "" when none
	pm         *patternmatcher.PatternMatcher
	// prefixExceptions is set when every `!` pattern is a plain path (no
	// wildcard before a trailing /* or /**): an excluded directory needs to
	// be read only when an exception lies inside it (fsutil's optimisation).
	prefixExceptions bool
	opts             Options
	openDir          func(name string) (dirReader, error) // os.Open; replaced in tests
	readLink         func(name string) (string, error)    // os.Readlink

	mu       sync.Mutex
	root     *dnode
	entries  int
	spent    time.Duration
	stopped  bool
	problems []string
}

type dirReader interface {
	ReadDir(n int) ([]fs.DirEntry, error)
	Close() error
}

// dir is a directory of the context that is sent (not ignored, or ignored
// but holding an exception).
type dnode struct {
	name   string
	rel    string // slash path from the context root; "" for the root
	parent *dnode
	dirs   []*dnode // sorted by name
	files  []file   // sorted by name
	mi     patternmatcher.MatchInfo

	loaded     bool
	excluded   bool // the directory itself is ignored; only exceptions inside count
	incomplete bool // this directory could not be read (fully)
	summed     bool
	total      int64 // bytes of every file below
	count      int   // files below
	partial    bool  // some directory below is incomplete
}

type fileKind uint8

const (
	kindFile fileKind = iota
	kindLink
	kindOther // device, socket, pipe: no bytes
)

// file is a non-directory entry.
type file struct {
	name string
	size int64
	kind fileKind
}

// IgnoreFile returns the ignore file BuildKit reads for a Dockerfile and a
// context directory: <Dockerfile>.dockerignore beside the Dockerfile when it
// exists, else <dir>/.dockerignore when it exists, else "". An empty
// dockerfile (stdin) skips the first.
func IgnoreFile(dir, dockerfile string) string {
	if dockerfile != "" {
		if p := dockerfile + ".dockerignore"; isFile(p) {
			return p
		}
	}
	if p := filepath.Join(dir, ".dockerignore"); isFile(p) {
		return p
	}
	return ""
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Open opens the build context dir for the Dockerfile at dockerfile ("" for
// one read from stdin), with default options.
func Open(dir, dockerfile string) (*Context, error) {
	return OpenOptions(dir, dockerfile, Options{})
}

// OpenOptions is Open with bounds. It reads the ignore file only; the tree
// is read on demand.
func OpenOptions(dir, dockerfile string, opts Options) (*Context, error) {
	return OpenIgnoreFile(dir, IgnoreFile(dir, dockerfile), opts)
}

// OpenIgnoreFile opens the context dir with the given ignore file ("" for
// none), as chosen by IgnoreFile.
func OpenIgnoreFile(dir, ignoreFile string, opts Options) (*Context, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	return newContext(dir, ignoreFile, opts)
}

func newContext(dir, ignore string, opts Options) (*Context, error) {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	c := &Context{
		dir: dir, ignoreFile: ignore, opts: opts,
		openDir:  func(name string) (dirReader, error) { return os.Open(name) },
		readLink: os.Readlink,
		root:     &dnode{},
	}
	if ignore != "" {
		data, err := readIgnoreFile(dir, ignore)
		if err != nil {
			return nil, err
		}
		patterns, err := ignorefile.ReadAll(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", ignore, err)
		}
		if len(patterns) > 0 {
			if c.pm, err = patternmatcher.New(patterns); err != nil {
				return nil, fmt.Errorf("%s: %w", ignore, err)
			}
			c.prefixExceptions = true
			for _, p := range c.pm.Patterns() {
				if p.Exclusion() && strings.ContainsAny(trimTrailingGlob(p.String()), `*[]?^\`) {
					c.prefixExceptions = false
				}
			}
		}
	}
	return c, nil
}

// MaxIgnoreFileSize bounds the ignore file read: a larger one is refused
// (no real .dockerignore comes near it).
const MaxIgnoreFileSize = 1 << 20

// readIgnoreFile reads the ignore file p of the context dir, which must be a
// regular file (a FIFO would block the open or read forever, a link to
// /dev/zero never end) of at most MaxIgnoreFileSize bytes. The repository
// under review may be hostile, so a symbolic link is followed only to a file
// inside the context directory (both resolved) named .dockerignore or
// *.dockerignore; any other link is an error that names the link, never its
// target or content.
func readIgnoreFile(dir, p string) ([]byte, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	want := safefile.FileID{}
	if fi.Mode()&fs.ModeSymlink != 0 {
		realDir, err := filepath.EvalSymlinks(dir)
		if err == nil {
			realDir, err = filepath.Abs(realDir)
		}
		if err != nil {
			return nil, err
		}
		target, err := filepath.EvalSymlinks(p)
		if err == nil {
			target, err = filepath.Abs(target)
		}
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(realDir, target)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			return nil, fmt.Errorf("%s is a symbolic link to a file outside the build context: not read", p)
		}
		if base := filepath.Base(target); base != ".dockerignore" && !strings.HasSuffix(base, ".dockerignore") {
			return nil, fmt.Errorf("%s is a symbolic link to a file not named .dockerignore or *.dockerignore: not read", p)
		}
		// Read the target examined here, not whatever the link names by then.
		st, err := os.Stat(target)
		if err != nil {
			return nil, err
		}
		want = safefile.IDOf(st)
	}
	return safefile.ReadFileSame(p, MaxIgnoreFileSize, want)
}

// IgnoreMatcher returns the patterns of the ignore file read (nil when there
// is none or it has no pattern), for checks that ask BuildKit's question
// "does this source match .dockerignore?" themselves.
func (c *Context) IgnoreMatcher() *patternmatcher.PatternMatcher { return c.pm }

// Dir is the context directory as given to Open.
func (c *Context) Dir() string { return c.dir }

// IgnoreFileUsed is the ignore file that was read, "" when none.
func (c *Context) IgnoreFileUsed() string { return c.ignoreFile }

// Problems are what went wrong reading the tree so far (unreadable
// directories, the entry or time bound), each once, in order.
func (c *Context) Problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.problems)
}

func (c *Context) problem(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !slices.Contains(c.problems, msg) {
		c.problems = append(c.problems, msg)
	}
}

func (c *Context) abs(rel string) string {
	if rel == "" {
		return c.dir
	}
	return filepath.Join(c.dir, filepath.FromSlash(rel))
}

// display is a context path for messages: "." for the root.
func display(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}

// load reads a directory once.
func (c *Context) load(d *dnode) {
	if d.loaded {
		return
	}
	d.loaded = true
	if c.stopped {
		d.incomplete = true
		return
	}
	if c.spent > c.opts.Timeout {
		c.stop(d, fmt.Sprintf("stopped reading after %v", c.opts.Timeout))
		return
	}
	start := time.Now()
	defer func() { c.spent += time.Since(start) }()
	h, err := c.openDir(c.abs(d.rel))
	if err != nil {
		c.unreadable(d, err)
		return
	}
	defer func() { _ = h.Close() }() // read-only: nothing to lose
	for {
		batch, err := h.ReadDir(1024)
		for _, e := range batch {
			c.entries++
			c.add(d, e)
		}
		if errors.Is(err, io.EOF) || (err == nil && len(batch) == 0) {
			break
		}
		if err != nil {
			c.unreadable(d, err)
			break
		}
		if c.entries > c.opts.MaxEntries {
			c.stop(d, fmt.Sprintf("stopped reading after %d entries", c.opts.MaxEntries))
			break
		}
		if c.spent+time.Since(start) > c.opts.Timeout {
			c.stop(d, fmt.Sprintf("stopped reading after %v", c.opts.Timeout))
			break
		}
	}
	slices.SortFunc(d.dirs, func(a, b *dnode) int { return strings.Compare(a.name, b.name) })
	slices.SortFunc(d.files, func(a, b file) int { return strings.Compare(a.name, b.name) })
}

func (c *Context) stop(d *dnode, why string) {
	c.stopped = true
	d.incomplete = true
	c.problem("build context %s: %s; sizes from it are lower bounds (is it the right directory?)", c.dir, why)
}

func (c *Context) unreadable(d *dnode, err error) {
	d.incomplete = true
	if d.excluded && errors.Is(err, fs.ErrPermission) {
		return // BuildKit does not fail on ignored paths either
	}
	reason := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason = pe.Err.Error()
	}
	c.problem("build context %s: cannot read %s: %s; its contents are not counted (docker build would fail on it unless .dockerignore excludes it)", c.dir, display(d.rel), reason)
}

// add records one directory entry, unless .dockerignore excludes it.
func (c *Context) add(d *dnode, e fs.DirEntry) {
	name := e.Name()
	rel := name
	if d.rel != "" {
		rel = d.rel + "/" + name
	}
	isDir := e.IsDir()
	excluded := false
	var mi patternmatcher.MatchInfo
	if c.pm != nil {
		m, info, err := c.pm.MatchesUsingParentResults(rel, d.mi)
		if err != nil {
			c.problem("build context %s: matching %s against %s: %v", c.dir, rel, c.ignoreFile, err)
		}
		excluded, mi = m, info
	}
	if excluded && (!isDir || !c.mayHoldExceptions(rel)) {
		return
	}
	if isDir {
		d.dirs = append(d.dirs, &dnode{name: name, rel: rel, parent: d, mi: mi, excluded: excluded})
		return
	}
	f := file{name: name, kind: kindOther}
	switch t := e.Type(); {
	case t.IsRegular():
		f.kind = kindFile
	case t&fs.ModeSymlink != 0:
		f.kind = kindLink
	}
	if f.kind != kindOther {
		info, err := e.Info() // lstat: a link is not followed
		if err != nil {
			return // gone since the directory was read
		}
		f.size = info.Size()
	}
	d.files = append(d.files, f)
}

// mayHoldExceptions reports whether an excluded directory can contain paths
// that a `!` pattern brings back, as fsutil decides whether to descend.
func (c *Context) mayHoldExceptions(rel string) bool {
	if !c.pm.Exclusions() {
		return false
	}
	if !c.prefixExceptions {
		return true
	}
	dirSlash := rel + "/"
	for _, p := range c.pm.Patterns() {
		if p.Exclusion() && strings.HasPrefix(filepath.ToSlash(trimTrailingGlob(p.String()))+"/", dirSlash) {
			return true
		}
	}
	return false
}

func trimTrailingGlob(p string) string {
	sep := string(filepath.Separator)
	p = strings.TrimSuffix(p, sep+"**")
	return strings.TrimSuffix(p, sep+"*")
}

// sum computes the bytes and files below d, reading what is needed.
func (c *Context) sum(d *dnode) {
	if d.summed {
		return
	}
	c.load(d)
	d.summed = true
	d.total, d.count, d.partial = 0, 0, d.incomplete
	for _, f := range d.files {
		d.total += f.size
		if f.kind != kindOther {
			d.count++
		}
	}
	for _, sub := range d.dirs {
		c.sum(sub)
		d.total += sub.total
		d.count += sub.count
		d.partial = d.partial || sub.partial
	}
}

// present reports whether a directory is in the context: not ignored, or
// ignored but holding an exception.
func (c *Context) present(d *dnode) bool {
	if !d.excluded {
		return true
	}
	c.sum(d)
	return d.count > 0
}

func (d *dnode) lookupDir(name string) *dnode {
	i, ok := slices.BinarySearchFunc(d.dirs, name, func(x *dnode, n string) int { return strings.Compare(x.name, n) })
	if !ok {
		return nil
	}
	return d.dirs[i]
}

func (d *dnode) lookupFile(name string) *file {
	i, ok := slices.BinarySearchFunc(d.files, name, func(x file, n string) int { return strings.Compare(x.name, n) })
	if !ok {
		return nil
	}
	return &d.files[i]
}

// ref is a resolved path: a directory, or a file in its parent directory.
type ref struct {
	dir    *dnode // the directory, or the file's parent
	file   *file  // nil for a directory
	linked bool   // a symbolic link was followed to get here
}

func (r ref) rel() string {
	if r.file == nil {
		return r.dir.rel
	}
	if r.dir.rel == "" {
		return r.file.name
	}
	return r.dir.rel + "/" + r.file.name
}

// splitPath cleans a context path like BuildKit (path.Join("/", p)) and
// splits it into components; the root is no component.
func splitPath(p string) []string {
	p = strings.TrimPrefix(path.Clean("/"+filepath.ToSlash(p)), "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// resolve finds a path, following symbolic links inside the context (as if
// it were the root of the file system) in every component, and in the last
// one when followLast is set.
func (c *Context) resolve(from *dnode, comps []string, followLast bool) (ref, error) {
	cur := from
	hops := 0
	linked := false
	comps = slices.Clone(comps)
	for i := 0; i < len(comps); i++ {
		name := comps[i]
		switch name {
		case "", ".":
			continue
		case "..":
			if cur.parent != nil {
				cur = cur.parent
			}
			continue
		}
		c.load(cur)
		last := i == len(comps)-1
		if sub := cur.lookupDir(name); sub != nil {
			if !c.present(sub) {
				return ref{}, fs.ErrNotExist
			}
			cur = sub
			continue
		}
		f := cur.lookupFile(name)
		if f == nil {
			return ref{}, fs.ErrNotExist
		}
		if f.kind != kindLink || (last && !followLast) {
			if !last {
				return ref{}, fs.ErrNotExist // a file used as a directory
			}
			return ref{dir: cur, file: f, linked: linked}, nil
		}
		hops++
		if hops > maxLinkHops {
			return ref{}, ErrLinkLoop
		}
		rel := name
		if cur.rel != "" {
			rel = cur.rel + "/" + name
		}
		target, err := c.readLink(c.abs(rel))
		if err != nil {
			return ref{}, err
		}
		linked = true
		target = filepath.ToSlash(target)
		if strings.HasPrefix(target, "/") {
			cur = c.root
		}
		rest := append(strings.Split(target, "/"), comps[i+1:]...)
		comps, i = rest, -1
	}
	return ref{dir: cur, linked: linked}, nil
}

// Match is one entry that a source names.
type Match struct {
	// Path is the entry's path from the context root (slash-separated; "."
	// for the root), after following a symbolic-link source.
	Path string
	// Dir is set for a directory: its contents are what is copied.
	Dir bool
	// Size is the bytes the entry adds: a file's size, or the sum of the
	// files below a directory.
	Size int64
	// Files counts the files (and links) it adds.
	Files int

	d *dnode
	f *file
}

// Display is Path with a trailing "/" for a directory.
func (m Match) Display() string {
	if m.Dir && m.Path != "." {
		return m.Path + "/"
	}
	return m.Path
}

// SourceOptions modify what a source adds.
type SourceOptions struct {
	// Exclude are COPY/ADD --exclude patterns, matched against the paths
	// below each matched entry (and a wildcard match's own path below the
	// fixed part of the pattern).
	Exclude []string
}

// Sources is what one COPY or ADD source adds from the context.
type Sources struct {
	// Src is the source as given.
	Src string
	// Matches are the entries it names: one, or any number for a wildcard
	// (none when nothing matches).
	Matches []Match
	// Total is the bytes of every file added; Files counts them.
	Total int64
	Files int
	// Incomplete is set when part of the tree could not be read: Total is
	// then a lower bound.
	Incomplete bool

	c       *Context
	exclude *patternmatcher.PatternMatcher
}

// Sources measures a COPY/ADD source. It returns an error wrapping
// fs.ErrNotExist when a plain path names nothing, ErrLinkLoop for a link
// cycle, and filepath.ErrBadPattern for a malformed wildcard.
func (c *Context) Sources(src string, opt SourceOptions) (*Sources, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &Sources{Src: src, c: c}
	if len(opt.Exclude) > 0 {
		pm, err := patternmatcher.New(opt.Exclude)
		if err != nil {
			return nil, fmt.Errorf("--exclude: %w", err)
		}
		s.exclude = pm
	}
	comps := splitPath(src)
	wild := slices.IndexFunc(comps, hasWildcard)
	var refs []ref
	if wild < 0 {
		r, err := c.resolve(c.root, comps, true)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		refs = []ref{r}
	} else {
		base, err := c.resolve(c.root, comps[:wild], true)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return s, nil // nothing matches
			}
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		if base.file != nil {
			return s, nil
		}
		var found []ref
		var rels []string
		if err := c.glob(base.dir, comps[wild:], "", &found, &rels); err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		for i, r := range found {
			if s.exclude != nil {
				if m, _ := s.exclude.MatchesOrParentMatches(rels[i]); m {
					continue
				}
			}
			if r.file != nil && r.file.kind == kindLink { // a matched link is followed
				fr, err := c.resolve(r.dir, []string{r.file.name}, true)
				if err != nil {
					continue // dangling or a loop: BuildKit fails the build
				}
				r = fr
			}
			refs = append(refs, r)
		}
	}
	for _, r := range refs {
		m := c.match(r, s.exclude)
		s.Matches = append(s.Matches, m)
		s.Total += m.Size
		s.Files += m.Files
		if m.d != nil && m.f == nil && m.d.partial {
			s.Incomplete = true
		}
	}
	return s, nil
}

func hasWildcard(comp string) bool {
	for i := 0; i < len(comp); i++ {
		switch comp[i] {
		case '\\':
			i++
		case '*', '?', '[':
			return true
		}
	}
	return false
}

// glob matches pattern components below d, not following links (as
// filepath.Walk in fsutil's resolveWildcards).
func (c *Context) glob(d *dnode, pattern []string, prefix string, out *[]ref, rels *[]string) error {
	c.load(d)
	pat := pattern[0]
	last := len(pattern) == 1
	join := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "/" + name
	}
	// Directories and files interleaved in name order, as a walk sees them.
	var names []string
	for _, sub := range d.dirs {
		names = append(names, sub.name)
	}
	for _, f := range d.files {
		names = append(names, f.name)
	}
	slices.Sort(names)
	for _, name := range names {
		ok, err := filepath.Match(pat, name)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if sub := d.lookupDir(name); sub != nil {
			if !c.present(sub) {
				continue
			}
			if last {
				*out = append(*out, ref{dir: sub})
				*rels = append(*rels, join(name))
			} else if err := c.glob(sub, pattern[1:], join(name), out, rels); err != nil {
				return err
			}
			continue
		}
		if last {
			*out = append(*out, ref{dir: d, file: d.lookupFile(name)})
			*rels = append(*rels, join(name))
		}
	}
	return nil
}

// match measures a resolved entry.
func (c *Context) match(r ref, exclude *patternmatcher.PatternMatcher) Match {
	if r.file != nil {
		return Match{Path: display(r.rel()), Size: r.file.size, Files: 1, d: r.dir, f: r.file}
	}
	m := Match{Path: display(r.dir.rel), Dir: true, d: r.dir}
	if exclude == nil {
		c.sum(r.dir)
		m.Size, m.Files = r.dir.total, r.dir.count
		return m
	}
	m.Size, m.Files, _ = c.sumExcluding(r.dir, "", exclude, patternmatcher.MatchInfo{})
	return m
}

// sumExcluding sums the files below d that --exclude patterns leave, with
// paths relative to the copied directory.
func (c *Context) sumExcluding(d *dnode, prefix string, pm *patternmatcher.PatternMatcher, mi patternmatcher.MatchInfo) (int64, int, bool) {
	c.load(d)
	var total int64
	n := 0
	partial := d.incomplete
	join := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "/" + name
	}
	for _, f := range d.files {
		if m, _, _ := pm.MatchesUsingParentResults(join(f.name), mi); m {
			continue
		}
		total += f.size
		if f.kind != kindOther {
			n++
		}
	}
	for _, sub := range d.dirs {
		m, info, _ := pm.MatchesUsingParentResults(join(sub.name), mi)
		if m && !pm.Exclusions() {
			continue // nothing below can come back
		}
		t, k, p := c.sumExcluding(sub, join(sub.name), pm, info)
		total, n, partial = total+t, n+k, partial || p
	}
	return total, n, partial
}

// Largest returns up to n of the biggest paths the sources add: the entries
// at the top of the copy (a directory source's children, the matched files),
// descending into a directory while it holds 90% or more of the bytes, so
// that the paths point at what is big rather than at "src/". Directories
// are reported with their totals.
func (s *Sources) Largest(n int) []Match {
	if s == nil {
		return nil
	}
	return Largest([]*Sources{s}, n)
}

// Largest is Sources.Largest over several sources of one instruction.
// The sources must come from one Context.
func Largest(srcs []*Sources, n int) []Match {
	var c *Context
	for _, s := range srcs {
		if s != nil {
			c = s.c
		}
	}
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var cands []Match
	for _, s := range srcs {
		if s == nil {
			continue
		}
		for _, m := range s.Matches {
			if m.Dir && s.exclude == nil {
				cands = append(cands, c.children(m.d)...)
			} else {
				cands = append(cands, m)
			}
		}
	}
	sortMatches(cands)
	for range 16 {
		if len(cands) == 0 || !cands[0].Dir {
			break
		}
		var total int64
		for _, m := range cands {
			total += m.Size
		}
		top := cands[0]
		if total == 0 || top.Size*10 < total*9 {
			break
		}
		kids := c.children(top.d)
		if len(kids) == 0 {
			break
		}
		cands = append(kids, cands[1:]...)
		sortMatches(cands)
	}
	var out []Match
	for _, m := range cands {
		if len(out) == n || m.Size == 0 {
			break
		}
		out = append(out, m)
	}
	return out
}

func sortMatches(ms []Match) {
	slices.SortStableFunc(ms, func(a, b Match) int {
		if a.Size != b.Size {
			if a.Size > b.Size {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Path, b.Path)
	})
}

// children measures the entries of a directory (c.mu held).
func (c *Context) children(d *dnode) []Match {
	c.load(d)
	var out []Match
	for _, sub := range d.dirs {
		if !c.present(sub) {
			continue
		}
		c.sum(sub)
		out = append(out, Match{Path: sub.rel, Dir: true, Size: sub.total, Files: sub.count, d: sub})
	}
	for i := range d.files {
		f := &d.files[i]
		out = append(out, c.match(ref{dir: d, file: f}, nil))
	}
	return out
}

// Under measures what the directory matches put at dest/rel when they are
// copied to dest (a directory's contents land in dest): the entry rel inside
// each of them. Symbolic links inside the copied tree are not followed (they
// are copied as links). File matches are left to the caller, which knows
// whether dest is a directory. ok is false when nothing lands there.
func (s *Sources) Under(rel string) (Match, bool) {
	if s == nil {
		return Match{}, false
	}
	comps := splitPath(rel)
	if len(comps) == 0 {
		return Match{}, false
	}
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	var out Match
	found := false
	for _, m := range s.Matches {
		if !m.Dir {
			continue
		}
		r, err := c.resolve(m.d, comps, false)
		if err != nil || r.linked {
			continue
		}
		if s.exclude != nil {
			if x, _ := s.exclude.MatchesOrParentMatches(strings.Join(comps, "/")); x {
				continue
			}
		}
		sub := c.match(r, nil)
		if !found {
			out = sub
		} else {
			out.Size += sub.Size
			out.Files += sub.Files
		}
		found = true
	}
	return out, found
}

// Walk visits the entries below each match (a directory's contents,
// recursively, in name order; a file match itself), with sizes, until visit
// returns false for a directory to skip it. Paths are from the context root.
// --exclude patterns apply.
func (s *Sources) Walk(visit func(m Match) (descend bool)) {
	if s == nil {
		return
	}
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range s.Matches {
		if !m.Dir {
			visit(m)
			continue
		}
		c.walk(m.d, "", s.exclude, patternmatcher.MatchInfo{}, visit)
	}
}

func (c *Context) walk(d *dnode, prefix string, pm *patternmatcher.PatternMatcher, mi patternmatcher.MatchInfo, visit func(Match) bool) {
	c.load(d)
	join := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "/" + name
	}
	type entry struct {
		name string
		sub  *dnode
		f    *file
	}
	var entries []entry
	for _, sub := range d.dirs {
		entries = append(entries, entry{name: sub.name, sub: sub})
	}
	for i := range d.files {
		entries = append(entries, entry{name: d.files[i].name, f: &d.files[i]})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	for _, e := range entries {
		var info patternmatcher.MatchInfo
		if pm != nil {
			var m bool
			m, info, _ = pm.MatchesUsingParentResults(join(e.name), mi)
			if m && (e.sub == nil || !pm.Exclusions()) {
				continue
			}
		}
		if e.f != nil {
			visit(c.match(ref{dir: d, file: e.f}, nil))
			continue
		}
		if !c.present(e.sub) {
			continue
		}
		m := Match{Path: e.sub.rel, Dir: true, d: e.sub}
		if pm == nil {
			c.sum(e.sub)
			m.Size, m.Files = e.sub.total, e.sub.count
		} else {
			m.Size, m.Files, _ = c.sumExcluding(e.sub, join(e.name), pm, info)
		}
		if visit(m) {
			c.walk(e.sub, join(e.name), pm, info, visit)
		}
	}
}

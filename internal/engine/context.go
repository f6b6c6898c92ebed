package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/dockvet/dockvet/internal/buildctx"
)

// ContextSettings say where the build context of each Dockerfile is, for
// the rules that measure what COPY and ADD add (DV101's cost, DV410, DV411,
// DV412).
//
// Without Dir, a Dockerfile's context is its own directory (what `docker
// build -f dir/Dockerfile dir` uses), and a Dockerfile read from stdin has
// none (like `docker build - < Dockerfile`). With Dir (--context), every
// file, stdin included, uses it. Files that share a directory and ignore
// file share one Context, read once.
type ContextSettings struct {
	// Dir, when set, is the build context of every file.
	Dir string
	// Options bound the reading of each context.
	Options buildctx.Options
	// Warn receives, once each, problems with a context: an unreadable
	// directory, a bound reached, a malformed .dockerignore. nil drops them.
	Warn func(msg string)
}

// contexts opens build contexts on demand, one per directory and ignore
// file, and is safe for concurrent use.
type contexts struct {
	set    ContextSettings
	mu     sync.Mutex
	open   map[contextKey]*contextEntry
	order  []*contextEntry
	warned map[string]bool
	// dirs caches, per directory, its absolute path and which ignore
	// files it may hold, so that finding a file's ignore file costs one
	// directory read per directory, not two failing stats (and a getwd)
	// per file.
	dirs map[string]*dirFacts
	// readDir and stat are the file system (tests count the calls).
	readDir func(string) ([]fs.DirEntry, error)
	stat    func(string) (fs.FileInfo, error)
}

// dirFacts is what contexts remembers of one directory.
type dirFacts struct {
	abs string
	// ignores are the lowercased names ending in ".dockerignore" that the
	// directory held; nil when it could not be listed (then every
	// candidate is stat'ed, as without the cache).
	ignores map[string]bool
}

type contextKey struct{ dir, ignore string }

type contextEntry struct {
	once  sync.Once
	dir   string
	c     *buildctx.Context
	err   error
	ready bool // c and err are set (guarded by contexts.mu)
}

func newContexts(s *ContextSettings) *contexts {
	if s == nil {
		return nil
	}
	return &contexts{set: *s, open: map[contextKey]*contextEntry{}, warned: map[string]bool{},
		dirs: map[string]*dirFacts{}, readDir: os.ReadDir, stat: os.Stat}
}

// dir returns the cached facts of a directory, listing it on first use.
func (cs *contexts) dir(dir string) *dirFacts {
	cs.mu.Lock()
	d, ok := cs.dirs[dir]
	cs.mu.Unlock()
	if ok {
		return d
	}
	d = &dirFacts{abs: dir}
	if abs, err := filepath.Abs(dir); err == nil {
		d.abs = abs
	}
	if entries, err := cs.readDir(dir); err == nil {
		d.ignores = map[string]bool{}
		for _, e := range entries {
			if name := strings.ToLower(e.Name()); strings.HasSuffix(name, ".dockerignore") {
				d.ignores[name] = true
			}
		}
	}
	cs.mu.Lock()
	cs.dirs[dir] = d
	cs.mu.Unlock()
	return d
}

// isFile is buildctx's test for an ignore file (a non-directory that stat
// finds), asked only of names the directory listing holds. Names are
// compared lowercased, so a case-insensitive file system finds what stat
// would.
func (cs *contexts) isFile(p string) bool {
	if d := cs.dir(filepath.Dir(p)); d.ignores != nil && !d.ignores[strings.ToLower(filepath.Base(p))] {
		return false
	}
	st, err := cs.stat(p)
	return err == nil && !st.IsDir()
}

// ignoreFile is buildctx.IgnoreFile through the directory cache: the
// Dockerfile's own <Dockerfile>.dockerignore, else the context's
// .dockerignore, else "".
func (cs *contexts) ignoreFile(dir, dockerfile string) string {
	if dockerfile != "" {
		if p := dockerfile + ".dockerignore"; cs.isFile(p) {
			return p
		}
	}
	if p := filepath.Join(dir, ".dockerignore"); cs.isFile(p) {
		return p
	}
	return ""
}

// forInput returns the build context of a file, nil when it has none or it
// cannot be opened (the reason is warned about once).
func (cs *contexts) forInput(in Input) *buildctx.Context {
	if cs == nil {
		return nil
	}
	dir := cs.set.Dir
	if dir == "" {
		if in.Path == "" {
			return nil
		}
		dir = filepath.Dir(in.Path)
	}
	ignore := cs.ignoreFile(dir, in.Path)
	key := contextKey{dir: cs.dir(dir).abs, ignore: ignore}
	cs.mu.Lock()
	e, ok := cs.open[key]
	if !ok {
		e = &contextEntry{dir: dir}
		cs.open[key] = e
		cs.order = append(cs.order, e)
	}
	cs.mu.Unlock()
	e.once.Do(func() {
		e.c, e.err = buildctx.OpenIgnoreFile(dir, ignore, cs.set.Options)
	})
	cs.mu.Lock()
	e.ready = true
	cs.mu.Unlock()
	return e.c
}

// flush warns about the problems found since the last flush, each once,
// sorted (files are linted concurrently, so the order of discovery varies).
func (cs *contexts) flush() {
	if cs == nil || cs.set.Warn == nil {
		return
	}
	cs.mu.Lock()
	var fresh []string
	for _, e := range cs.order {
		if !e.ready {
			continue // still opening: its problems come with a later flush
		}
		var probs []string
		if e.err != nil && (cs.set.Dir != "" || !errors.Is(e.err, fs.ErrNotExist)) {
			probs = []string{fmt.Sprintf("build context %s: %v; the rules that measure it (DV410, DV411, DV412, the size in DV101) are skipped", e.dir, e.err)}
		} else if e.c != nil {
			probs = e.c.Problems()
		}
		for _, m := range probs {
			if !cs.warned[m] {
				cs.warned[m] = true
				fresh = append(fresh, m)
			}
		}
	}
	cs.mu.Unlock()
	slices.Sort(fresh)
	for _, m := range fresh {
		cs.set.Warn(m)
	}
}

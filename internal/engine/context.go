package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
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
	return &contexts{set: *s, open: map[contextKey]*contextEntry{}, warned: map[string]bool{}}
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
	ignore := buildctx.IgnoreFile(dir, in.Path)
	key := contextKey{dir: dir, ignore: ignore}
	if abs, err := filepath.Abs(dir); err == nil {
		key.dir = abs
	}
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

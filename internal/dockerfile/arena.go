package dockerfile

import (
	"slices"
	"sync"
	"unsafe"

	"github.com/dockvet/dockvet/internal/source"
)

// arena hands out slices of one backing array, to allocate the many small
// slices and structs of a file's model (tokens, words, calls, instructions)
// in a few large blocks instead of one allocation each. Every slice it
// returns has its capacity capped, so appending to it never writes into a
// neighbour.
//
// An arena remembers the blocks it handed out for the file being parsed:
// when the file is released (File.Release), they are cleared and serve
// the next file parsed with the same arenas (issue 11: a corpus pass made
// 18 MB of blocks, one set per file, for the collector).
type arena[T any] struct {
	buf  []T
	next int // size of the next block

	used [][]T // every block of the current file, for release
	free [][]T // cleared blocks of earlier files, to hand out again
}

// block returns an empty block of capacity at least n: the smallest free
// one that fits, else a new one of n's allocation size class (slices.Grow
// rounds up as append does).
func (a *arena[T]) block(n int) []T {
	best := -1
	for i, b := range a.free {
		if cap(b) >= n && (best < 0 || cap(b) < cap(a.free[best])) {
			best = i
		}
	}
	var b []T
	if best >= 0 {
		b = a.free[best]
		last := len(a.free) - 1
		a.free[best], a.free[last] = a.free[last], nil
		a.free = a.free[:last]
	} else {
		b = slices.Grow([]T(nil), n)
	}
	a.used = append(a.used, b[:0])
	return b[:0]
}

func (a *arena[T]) alloc(n int) []T {
	if n > cap(a.buf)-len(a.buf) {
		a.next = min(max(a.next*2, 8), 1024)
		a.buf = a.block(max(n, a.next))
	}
	l := len(a.buf)
	a.buf = a.buf[:l+n]
	return a.buf[l : l+n : l+n]
}

// take returns n elements from the current block when they fit, else a
// block of their own: for sizes counted in advance with reserve, where a
// request that does not fit (a nested script's) should not start a block.
func (a *arena[T]) take(n int) []T {
	if n > cap(a.buf)-len(a.buf) {
		return a.block(n)[:n:n]
	}
	return a.alloc(n)
}

// reserve makes the next n elements come from one block. The block takes
// the whole of its allocation's size class: what is over n serves the next
// reservation when it fits.
func (a *arena[T]) reserve(n int) {
	if n > cap(a.buf)-len(a.buf) {
		a.buf = a.block(n)
	}
}

// one returns a pointer to a new zero T.
func (a *arena[T]) one() *T {
	return &a.alloc(1)[0]
}

// reset ends the current file: its blocks are cleared (no string, node or
// script of the file stays reachable through them) and become free for the
// next file. With poison set, every element is overwritten with *poison
// instead and the blocks are dropped, never reused, so that a read through
// a pointer kept past release shows (see poisonReleased).
func (a *arena[T]) reset(poison *T) {
	for i, b := range a.used {
		b = b[:cap(b)]
		if poison != nil {
			for j := range b {
				b[j] = *poison
			}
		} else {
			clear(b)
			a.free = append(a.free, b[:0])
		}
		a.used[i] = nil
	}
	a.used = a.used[:0]
	a.buf, a.next = nil, 0
	if poison != nil {
		clear(a.free)
		a.free = a.free[:0]
	}
}

// clearFile is reset without poison: the file's blocks are cleared and
// become free.
func (a *arena[T]) clearFile() { a.reset(nil) }

// size is the bytes of the arena's blocks, those of the current file and
// the free ones: what it keeps once reset.
func (a *arena[T]) size() int {
	n := 0
	for _, b := range a.used {
		n += cap(b)
	}
	for _, b := range a.free {
		n += cap(b)
	}
	var t T
	return n * int(unsafe.Sizeof(t))
}

// arenas are the allocators of one File.
type arenas struct {
	instructions arena[Instruction]
	lineMaps     arena[textMap] // each instruction's logical line
	// The shell model: a corpus pass makes about 30,000 calls and their
	// word lists, one allocation each without the arenas (issue 11).
	calls arena[Call]
	words arena[Word]
	exprs arena[wordExpr]
	// segs are the segment lists of logical lines on several physical
	// lines; tokens the lazily tokenized Args; comments the File's.
	segs     arena[segment]
	tokens   arena[Token]
	comments arena[Comment]
	// refs are the File's ImageRefs; lists the FinalInstructions lists
	// handed out; predefined BuildKit's predefined ARGs, the meta scope's.
	refs       arena[ImageRef]
	lists      arena[*Instruction]
	scripts    arena[Script]
	stages     arena[Stage]
	predefined [numPredefinedArgs][2]string

	// Scratch space of one parse, kept for the next (no pointers: nothing
	// to clear): the line starts of the source, and a logical line's
	// segments while they are gathered.
	lineStarts  []int
	segsScratch []segment

	// With poisonReleased, the source Parse was given and a copy of it:
	// release checks that the caller left it alone (see Parse).
	src     []byte
	srcCopy string
}

// arenaPool recycles the arenas of released files. A File's arenas come
// from it in Parse and go back in Release; a file that is never released
// (its owner keeps it, or its parse panicked) simply leaves its arenas to
// the garbage collector.
var arenaPool = sync.Pool{New: func() any { return new(arenas) }}

// maxPooledArenaBytes bounds what released arenas keep for later files: the
// arenas of a pathological file (a million RUNs) are dropped instead, so
// the pool does not hold its memory for the rest of the run. A set reused
// across the corpus settles at about 0.5 MB (the largest files' blocks).
const maxPooledArenaBytes = 1 << 20

// poisonReleased, when set, makes Release overwrite a file's model with
// sentinel values (poisonText, negative lines) instead of recycling it, so
// that a pointer into a released File that some holder kept shows as
// "released" text or a panic in golden tests. It is off in a build, on
// under the dockvet_poison build tag (go test -tags dockvet_poison ./...),
// and tests of this package may set it.
var poisonReleased = poisonTag

// poisonText marks the strings of a released, poisoned model.
const poisonText = "\x00<dockvet: released File>"

// release clears the arenas and, unless they grew too large or poisoning is
// on, returns them to the pool.
func (m *arenas) release() {
	if poisonReleased {
		if string(m.src) != m.srcCopy {
			panic("dockerfile: the source of a File was modified before its release (Parse keeps it: File.Lines are views of it)")
		}
		poisonRange := source.Range{Start: source.Pos{Line: -1, Col: -1}, End: source.Pos{Line: -1, Col: -1}}
		m.instructions.reset(&Instruction{Keyword: poisonText, ArgsText: poisonText, Range: poisonRange, KeywordRange: poisonRange,
			ArgsRange: poisonRange, StartLine: -1, EndLine: -1, Invalid: true, argsDone: true, args: []Token{{Value: poisonText, Range: poisonRange}}})
		poisonInstruction := &Instruction{Keyword: poisonText, ArgsText: poisonText, StartLine: -1, EndLine: -1, Invalid: true, argsDone: true}
		m.lineMaps.reset(&textMap{text: poisonText})
		m.calls.reset(&Call{Name: poisonText, NameRange: poisonRange, Range: poisonRange, Args: []Word{{Value: poisonText, Literal: true, Range: poisonRange}}})
		m.words.reset(&Word{Value: poisonText, Literal: true, Range: poisonRange})
		m.exprs.reset(&wordExpr{text: poisonText})
		m.segs.reset(&segment{off: -1, line: -1, col: -1, end: -1})
		m.tokens.reset(&Token{Value: poisonText, Range: poisonRange, off: -1, end: -1})
		m.comments.reset(&Comment{Line: -1, Text: poisonText, Range: poisonRange})
		m.refs.reset(&ImageRef{Raw: poisonText, Expanded: poisonText, Repository: poisonText, Tag: poisonText, Range: poisonRange, TagRange: poisonRange})
		m.lists.reset(&poisonInstruction)
		m.scripts.reset(&Script{Text: poisonText})
		m.stages.reset(&Stage{Index: -1, Name: poisonText, NameRange: poisonRange, From: poisonInstruction})
		for i := range m.predefined {
			m.predefined[i] = [2]string{poisonText, poisonText}
		}
		return
	}
	// Arenas too large to keep are left to the collector as they are:
	// clearing them first would only cost time (a file of 40,000 RUNs has
	// hundreds of thousands of blocks).
	if m.size() > maxPooledArenaBytes {
		return
	}
	m.clear()
	arenaPool.Put(m)
}

// blockArena is what releasing a file does with each of its arenas,
// whatever their element type.
type blockArena interface {
	size() int
	clearFile()
}

// each returns every arena of the set (TestEachCoversArenas keeps the list
// whole: an arena missing here would keep its file's memory reachable).
// An array, not a slice: nothing to allocate per released file.
func (m *arenas) each() [12]blockArena {
	return [...]blockArena{
		&m.instructions, &m.lineMaps, &m.calls, &m.words, &m.exprs, &m.segs, &m.tokens,
		&m.comments, &m.refs, &m.lists, &m.scripts, &m.stages,
	}
}

// size is the bytes the arenas keep once cleared.
func (m *arenas) size() int {
	n := cap(m.lineStarts)*int(unsafe.Sizeof(0)) + cap(m.segsScratch)*int(unsafe.Sizeof(segment{}))
	for _, a := range m.each() {
		n += a.size()
	}
	return n
}

// clear ends the file of every arena.
func (m *arenas) clear() {
	m.predefined = [numPredefinedArgs][2]string{}
	for _, a := range m.each() {
		a.clearFile()
	}
}

package dockerfile

import "slices"

// arena hands out slices of one backing array, to allocate the many small
// slices and structs of a file's model (tokens, words, calls, instructions)
// in a few large blocks instead of one allocation each. Every slice it
// returns has its capacity capped, so appending to it never writes into a
// neighbour.
type arena[T any] struct {
	buf  []T
	next int // size of the next block
}

func (a *arena[T]) alloc(n int) []T {
	if n > cap(a.buf)-len(a.buf) {
		a.next = min(max(a.next*2, 8), 1024)
		a.buf = make([]T, 0, max(n, a.next))
	}
	l := len(a.buf)
	a.buf = a.buf[:l+n]
	return a.buf[l : l+n : l+n]
}

// take returns n elements from the current block when they fit, else a
// slice of their own: for sizes counted in advance with reserve, where a
// request that does not fit (a nested script's) should not start a block.
func (a *arena[T]) take(n int) []T {
	if n > cap(a.buf)-len(a.buf) {
		return make([]T, n)
	}
	return a.alloc(n)
}

// reserve makes the next n elements come from one block. The block takes
// the whole of its allocation's size class (slices.Grow rounds up as append
// does): what is over n serves the next reservation when it fits.
func (a *arena[T]) reserve(n int) {
	if n > cap(a.buf)-len(a.buf) {
		a.buf = slices.Grow([]T(nil), n)
	}
}

// one returns a pointer to a new zero T.
func (a *arena[T]) one() *T {
	return &a.alloc(1)[0]
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
}

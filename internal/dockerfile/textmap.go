package dockerfile

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dockvet/dockvet/internal/source"
)

// lineTable is the file's physical lines, with what it takes to turn a byte
// offset in a line into a character column quickly, even on long lines.
type lineTable struct {
	text  []string
	ascii []int8          // per line: 0 not yet known, 1 ASCII only, -1 not
	runes map[int][]int32 // long non-ASCII lines: the 0-based column of each byte offset
}

func newLineTable(lines []string) *lineTable {
	return &lineTable{text: lines, ascii: make([]int8, len(lines))}
}

// col returns the 1-based character column of the character that holds byte
// offset off of line n (1-based); an offset at the end of the line gives the
// column just after its last character. Columns count characters as
// source.Column does (an invalid UTF-8 byte is one character).
func (t *lineTable) col(n, off int) int {
	if n < 1 || n > len(t.text) {
		return 1
	}
	line := t.text[n-1]
	off = min(max(off, 0), len(line))
	switch t.ascii[n-1] {
	case 0:
		t.ascii[n-1] = 1
		for i := 0; i < len(line); i++ {
			if line[i] >= utf8.RuneSelf {
				t.ascii[n-1] = -1
				break
			}
		}
		return t.col(n, off)
	case 1:
		return off + 1
	}
	if len(line) < 256 {
		c := 1
		for i := 0; i < len(line); c++ {
			_, size := utf8.DecodeRuneInString(line[i:])
			if off < i+size {
				return c
			}
			i += size
		}
		return c
	}
	idx := t.runes[n-1]
	if idx == nil {
		idx = make([]int32, len(line)+1)
		c := int32(0)
		for i := 0; i < len(line); {
			_, size := utf8.DecodeRuneInString(line[i:])
			for j := 0; j < size; j++ {
				idx[i+j] = c
			}
			i += size
			c++
		}
		idx[len(line)] = c
		if t.runes == nil {
			t.runes = map[int][]int32{}
		}
		t.runes[n-1] = idx
	}
	return int(idx[off]) + 1
}

// endCol returns the column just after the last character of line n.
func (t *lineTable) endCol(n int) int {
	if n < 1 || n > len(t.text) {
		return 1
	}
	return t.col(n, len(t.text[n-1]))
}

// textMap is a string assembled from pieces of physical lines (a logical line
// with its continuations joined, a RUN script with its heredoc bodies) and the
// map back from every byte offset to the line and byte column it came from.
type textMap struct {
	text string
	segs []segment  // sorted by off
	tab  *lineTable // the file's physical lines
	one  [1]segment // storage for segs when there is one segment
}

// segment says: text[off:] continues physical line `line` (1-based) at byte `col`
// (0-based), until the next segment.
type segment struct {
	off  int
	line int
	col  int
	end  int // where the piece ends in the line (only while building)
}

type textBuilder struct {
	buf  strings.Builder
	segs []segment
	tab  *lineTable
}

// addLine appends lines[line-1][from:to].
func (b *textBuilder) addLine(line, from, to int) {
	if from >= to {
		return
	}
	b.segs = append(b.segs, segment{off: b.buf.Len(), line: line, col: from})
	b.buf.WriteString(b.tab.text[line-1][from:to])
}

// addSynthetic appends text that does not come from the source (a newline that
// joins pieces); it maps to the end of the previous piece.
func (b *textBuilder) addSynthetic(s string) {
	b.buf.WriteString(s)
}

func (b *textBuilder) done() *textMap {
	return &textMap{text: b.buf.String(), segs: b.segs, tab: b.tab}
}

// seg returns the index of the segment holding byte offset off.
func (m *textMap) seg(off int) int {
	lo, hi := 0, len(m.segs)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if m.segs[h].off <= off {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return max(lo-1, 0)
}

// pos maps a byte offset of the text to a source position. Offsets past the end
// map to just after the last character.
func (m *textMap) pos(off int) source.Pos {
	if len(m.segs) == 0 {
		return source.Pos{}
	}
	off = max(off, 0)
	s := m.segs[m.seg(off)]
	return source.Pos{Line: s.line, Col: m.tab.col(s.line, s.col+off-s.off)}
}

// rng maps the byte span [from, to) to a source range.
func (m *textMap) rng(from, to int) source.Range {
	if len(m.segs) == 0 {
		return source.Range{}
	}
	from = max(from, 0)
	i := m.seg(from)
	s := m.segs[i]
	start := source.Pos{Line: s.line, Col: m.tab.col(s.line, s.col+from-s.off)}
	if to <= from {
		return source.Range{Start: start, End: start}
	}
	// The end is just after the last byte's character: map the last byte and
	// step past it, so that a span ending at a line join does not end on the
	// next line.
	for i+1 < len(m.segs) && m.segs[i+1].off <= to-1 {
		i++
	}
	s = m.segs[i]
	end := source.Pos{Line: s.line, Col: m.tab.col(s.line, s.col+to-1-s.off) + 1}
	end.Col = min(end.Col, m.tab.endCol(s.line))
	if end.Line == start.Line && end.Col < start.Col {
		end.Col = start.Col
	}
	return source.Range{Start: start, End: end}
}

// sub makes out the map for text[from:to], reusing out's segment list.
func (m *textMap) sub(out *textMap, from, to int) {
	*out = textMap{text: m.text[from:to], tab: m.tab, segs: out.segs[:0]}
	i := m.seg(from)
	for ; i < len(m.segs) && m.segs[i].off < to; i++ {
		s := m.segs[i]
		if s.off < from {
			s.col += from - s.off
			s.off = from
		}
		s.off -= from
		out.segs = append(out.segs, s)
	}
}

// logicalLine finds the pieces of physical lines that BuildKit's parser
// joins into the logical line of the instruction starting at physical line
// start (1-based), with the same rules: leading white space trimmed on the
// first line, continuation lines joined without their escape character, and
// comment or blank lines inside a continuation dropped. It fills m with the
// map of want, BuildKit's text (node.Original), and returns the last
// physical line used; ok is false when the pieces do not spell want (an
// input we do not model). Comparing piece by piece instead of joining them
// spares a copy of every multi-line instruction.
func logicalLine(m *textMap, tab *lineTable, mem *arenas, start int, escape rune, want string) (last int, ok bool) {
	lines := tab.text
	n := start
	text := lines[n-1]
	from := len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace))
	to, cont := continuation(text, escape)
	if to < from {
		to = from
	}
	*m = textMap{text: want, tab: tab}
	if !cont || n == len(lines) {
		// One physical line, the common case: the text is a piece of it.
		// An empty text (a line holding only an escape character) still maps
		// to where it starts.
		m.one[0] = segment{off: 0, line: n, col: from}
		m.segs = m.one[:]
		return n, text[from:to] == want
	}
	// Several lines: gather the pieces in the parse's scratch space, then
	// keep them in the file's segment arena, at their exact size.
	segs := mem.segsScratch[:0]
	size := 0
	if from < to {
		segs = append(segs, segment{line: n, col: from, end: to})
		size += to - from
	}
	for cont && n < len(lines) {
		n++
		text = lines[n-1]
		trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		to, cont = continuation(text, escape)
		if to > 0 {
			segs = append(segs, segment{off: size, line: n, col: 0, end: to})
			size += to
		}
	}
	if len(segs) == 0 {
		segs = append(segs, segment{line: start, col: from, end: from})
	}
	ok = size == len(want)
	for _, sg := range segs {
		if !ok {
			break
		}
		ok = lines[sg.line-1][sg.col:sg.end] == want[sg.off:sg.off+sg.end-sg.col]
	}
	if len(segs) == 1 {
		m.one[0] = segs[0]
		m.segs = m.one[:]
	} else {
		m.segs = mem.segs.alloc(len(segs))
		copy(m.segs, segs)
	}
	mem.segsScratch = segs[:0]
	return n, ok
}

// continuation reports whether the line ends with the escape character (and
// optional blanks) that continues it, and where the content ends. It mirrors
// BuildKit's `([^\\])\\[ \t]*$|^\\[ \t]*$`: a doubled escape does not continue.
func continuation(line string, escape rune) (end int, cont bool) {
	t := strings.TrimRight(line, " \t")
	esc := string(escape)
	if !strings.HasSuffix(t, esc) {
		return len(line), false
	}
	body := t[:len(t)-len(esc)]
	if body == "" {
		return 0, true
	}
	if strings.HasSuffix(body, esc) {
		return len(line), false
	}
	return len(body), true
}

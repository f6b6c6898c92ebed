package dockerfile

import (
	"bytes"
	"sort"
	"strings"
	"unicode"

	"github.com/dockvet/dockvet/internal/source"
)

// textMap is a string assembled from pieces of physical lines (a logical line
// with its continuations joined, a RUN script with its heredoc bodies) and the
// map back from every byte offset to the line and byte column it came from.
type textMap struct {
	text  string
	segs  []segment // sorted by off
	lines []string  // the file's physical lines, to turn byte columns into characters
}

// segment says: text[off:] continues physical line `line` (1-based) at byte `col`
// (0-based), until the next segment.
type segment struct {
	off  int
	line int
	col  int
}

type textBuilder struct {
	buf   strings.Builder
	segs  []segment
	lines []string
}

// addLine appends lines[line-1][from:to].
func (b *textBuilder) addLine(line, from, to int) {
	if from >= to {
		return
	}
	b.segs = append(b.segs, segment{off: b.buf.Len(), line: line, col: from})
	b.buf.WriteString(b.lines[line-1][from:to])
}

// addSynthetic appends text that does not come from the source (a newline that
// joins pieces); it maps to the end of the previous piece.
func (b *textBuilder) addSynthetic(s string) {
	b.buf.WriteString(s)
}

func (b *textBuilder) done() *textMap {
	return &textMap{text: b.buf.String(), segs: b.segs, lines: b.lines}
}

// pos maps a byte offset of the text to a source position. Offsets past the end
// map to just after the last character.
func (m *textMap) pos(off int) source.Pos {
	if len(m.segs) == 0 {
		return source.Pos{}
	}
	if off < 0 {
		off = 0
	}
	i := sort.Search(len(m.segs), func(i int) bool { return m.segs[i].off > off }) - 1
	if i < 0 {
		i = 0
	}
	s := m.segs[i]
	col := s.col + off - s.off
	line := m.lines[s.line-1]
	if col > len(line) {
		col = len(line)
	}
	return source.Pos{Line: s.line, Col: source.Column(line, col)}
}

// rng maps the byte span [from, to) to a source range.
func (m *textMap) rng(from, to int) source.Range {
	if to <= from {
		p := m.pos(from)
		return source.Range{Start: p, End: p}
	}
	start := m.pos(from)
	// The end is just after the last byte; map the last byte and step past it,
	// so that a span ending at a line join does not end on the next line.
	last := m.pos(to - 1)
	line := m.lines[last.Line-1]
	end := last
	end.Col = last.Col + 1
	if maxCol := source.Column(line, len(line)) + 1; end.Col > maxCol {
		end.Col = maxCol
	}
	return source.Range{Start: start, End: end}
}

// sub returns the map for text[from:to].
func (m *textMap) sub(from, to int) *textMap {
	out := &textMap{text: m.text[from:to], lines: m.lines}
	i := sort.Search(len(m.segs), func(i int) bool { return m.segs[i].off > from }) - 1
	if i < 0 {
		i = 0
	}
	for ; i < len(m.segs) && m.segs[i].off < to; i++ {
		s := m.segs[i]
		if s.off < from {
			s.col += from - s.off
			s.off = from
		}
		s.off -= from
		out.segs = append(out.segs, s)
	}
	return out
}

// logicalLine rebuilds the logical line that BuildKit's parser assembles for
// the instruction starting at physical line start (1-based), with the same rules:
// leading white space trimmed on the first line, continuation lines joined
// without their escape character, and comment or blank lines inside a
// continuation dropped. It returns the map and the last physical line used.
func logicalLine(lines []string, start int, escape rune) (*textMap, int) {
	b := &textBuilder{lines: lines}
	n := start
	text := lines[n-1]
	from := len(text) - len(bytes.TrimLeftFunc([]byte(text), unicode.IsSpace))
	to, cont := continuation(text, escape)
	if to < from {
		to = from
	}
	b.addLine(n, from, to)
	for cont && n < len(lines) {
		n++
		text = lines[n-1]
		trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		to, cont = continuation(text, escape)
		b.addLine(n, 0, to)
	}
	return b.done(), n
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

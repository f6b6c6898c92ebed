package secrets

import (
	"sort"
	"strings"
)

// MaskLines returns a file's lines as output may print them: every
// credential that Find recognises keeps at most its first 4 characters (a
// quarter of a short one) and the rest is replaced by '*', so the line
// keeps its length and columns stay right. Each line is searched alone, and
// the text is searched again as BuildKit reads it, so that it also masks
//   - a token split over a line continuation (a line ending in the escape
//     character, then blanks; comment and empty lines inside the
//     continuation are skipped, as BuildKit skips them), whose halves match
//     nothing on their own, and
//   - the body of a PEM private key (the base64 lines under its BEGIN line,
//     in a heredoc or written with "\n" escapes), which Find's match does
//     not cover.
//
// escape is the file's escape character; 0 joins no lines (YAML). What is
// masked is the union of both searches: joining lines never shows more of a
// line than searching it alone. It returns lines itself when nothing is
// masked.
func MaskLines(lines []string, escape byte) []string {
	var out [][]byte // nil until a line is masked
	mask := func(line, col int) {
		if out == nil {
			out = make([][]byte, len(lines))
		}
		if out[line] == nil {
			out[line] = []byte(lines[line])
		}
		out[line][col] = '*'
	}
	for i, l := range lines {
		for _, m := range Find(l) {
			for c := m.Start + min(4, (m.End-m.Start)/4); c < m.End; c++ {
				mask(i, c)
			}
		}
	}
	if !needsJoin(lines, escape) {
		return shownLines(lines, out)
	}
	lt := logicalText(lines, escape)
	for _, m := range Find(lt.text) {
		for p := m.Start + min(4, (m.End-m.Start)/4); p < m.End; p++ {
			if line, col, ok := lt.at(p); ok {
				mask(line, col)
			}
		}
		if m.Name != pemName {
			continue
		}
		_, n := scanPEMBody(lt.text[m.End:])
		end := m.End + n
		for p := m.End; p < end; p++ {
			switch c := lt.text[p]; {
			case c == '\\':
				p++ // a written "\n" stays
			case base64Byte(c):
				if line, col, ok := lt.at(p); ok {
					mask(line, col)
				}
			}
		}
	}
	return shownLines(lines, out)
}

// shownLines are lines with the masked ones (out, nil when none) replaced.
func shownLines(lines []string, out [][]byte) []string {
	if out == nil {
		return lines
	}
	shown := make([]string, len(lines))
	for i, l := range lines {
		if out[i] != nil {
			shown[i] = string(out[i])
		} else {
			shown[i] = l
		}
	}
	return shown
}

// needsJoin reports whether searching the joined text can find what the
// lines alone do not: a line is continued, or a PEM block begins (its body
// is on the lines after it). Most files have neither, and are searched once.
func needsJoin(lines []string, escape byte) bool {
	for _, l := range lines {
		if escape != 0 && strings.HasSuffix(strings.TrimRight(l, " \t"), string(escape)) || strings.Contains(l, "-----BEGIN ") {
			return true
		}
	}
	return false
}

// logical is a file's text as BuildKit reads it: continued lines joined
// without their escape character, the comment and empty lines inside a
// continuation left out, other lines ended by '\n'. segs map it back.
type logical struct {
	text string
	segs []segment
}

// segment is a run of the logical text taken from one line.
type segment struct{ start, line, n int }

func logicalText(lines []string, escape byte) logical {
	var b strings.Builder
	var segs []segment
	continued := false
	for i, l := range lines {
		if continued && (strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimLeft(l, " \t"), "#")) {
			continue
		}
		content, cont := l, false
		if escape != 0 {
			if t := strings.TrimRight(l, " \t"); strings.HasSuffix(t, string(escape)) {
				content, cont = t[:len(t)-1], true
			}
		}
		segs = append(segs, segment{start: b.Len(), line: i, n: len(content)})
		b.WriteString(content)
		if !cont {
			b.WriteByte('\n')
		}
		continued = cont
	}
	return logical{text: b.String(), segs: segs}
}

// at maps an offset of the logical text to its line and byte column; ok is
// false for a newline that the text added.
func (lt logical) at(p int) (line, col int, ok bool) {
	k := sort.Search(len(lt.segs), func(k int) bool { return lt.segs[k].start > p }) - 1
	if k < 0 || p-lt.segs[k].start >= lt.segs[k].n {
		return 0, 0, false
	}
	return lt.segs[k].line, p - lt.segs[k].start, true
}

package secrets

import (
	"sort"
	"strings"
)

// MaskLines returns a file's lines as output may print them: every
// credential that Find recognises keeps at most its first 4 characters (a
// quarter of a short one) and the rest is replaced by '*', so the line
// keeps its length and columns stay right. Unlike Find on each line alone,
// it also masks
//   - a token split over a line continuation (a line ending in the escape
//     character, `\` or the Windows "`"), whose halves match nothing on
//     their own, and
//   - the body of a PEM private key (the base64 lines under its BEGIN line,
//     in a heredoc or written with "\n" escapes), which Find's match does
//     not cover.
//
// It returns lines itself when nothing is masked.
func MaskLines(lines []string) []string {
	if len(lines) == 0 {
		return lines
	}
	// The text is the lines joined by '\n'; the logical text drops each
	// escape character and newline of a continuation, and cuts remembers
	// where, so a match in the logical text maps back to the lines.
	var text strings.Builder
	for i, l := range lines {
		if i > 0 {
			text.WriteByte('\n')
		}
		text.WriteString(l)
	}
	full := text.String()
	logical, cuts := joinContinuations(full)
	ms := Find(logical)
	if len(ms) == 0 {
		return lines
	}
	b := []byte(full)
	at := func(i int) int { return toText(cuts, i) }
	for _, m := range ms {
		keep := min(4, (m.End-m.Start)/4)
		for i := m.Start + keep; i < m.End; i++ {
			maskByte(b, at(i))
		}
		if m.Name == pemName {
			end := m.End + pemBodyEnd(logical[m.End:])
			for i := m.End; i < end; i++ {
				switch c := logical[i]; {
				case c == '\\':
					i++ // a written "\n" stays
				case base64Byte(c):
					maskByte(b, at(i))
				}
			}
		}
	}
	out := strings.Split(string(b), "\n")
	if len(out) != len(lines) {
		return lines // cannot happen: only non-newline bytes were masked
	}
	return out
}

// maskByte replaces one byte of a secret, leaving line structure alone.
func maskByte(b []byte, i int) {
	if b[i] != '\n' && b[i] != '\r' {
		b[i] = '*'
	}
}

// joinContinuations removes each line continuation (an escape character at
// the end of a line and its newline) from s. cuts holds, for each removed
// pair, its offset in the logical text returned; toText maps back.
func joinContinuations(s string) (logical string, cuts []int) {
	if !strings.Contains(s, "\\\n") && !strings.Contains(s, "`\n") {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if (s[i] == '\\' || s[i] == '`') && i+1 < len(s) && s[i+1] == '\n' {
			cuts = append(cuts, b.Len())
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), cuts
}

// toText maps an offset in the logical text to the joined text: each cut
// at or before it moved it two bytes back.
func toText(cuts []int, i int) int {
	return i + 2*sort.Search(len(cuts), func(k int) bool { return cuts[k] > i })
}

// pemBodyEnd is the offset in s (the text after a BEGIN line) where the
// key's body ends: at the END line or the first byte that cannot be in it.
func pemBodyEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case base64Byte(c), c == ' ', c == '\t', c == '\n', c == '\r':
		case c == '\\' && i+1 < len(s) && (s[i+1] == 'n' || s[i+1] == 'r'):
			i++
		default:
			return i
		}
	}
	return len(s)
}

func base64Byte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

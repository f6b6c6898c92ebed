// Package source defines positions and ranges in a text file, the unit in which
// every dockvet finding is located.
//
// Lines and columns are 1-based. A column counts Unicode characters (a tab is one
// character, an invalid UTF-8 byte is one character), which is what editors and
// problem matchers expect. An end column is exclusive: it names the column just
// after the last character of the range, as SARIF and LSP do.
package source

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pos is a 1-based line and column. The zero Pos means "unknown".
type Pos struct {
	Line int
	Col  int
}

// IsValid reports whether the position names a real line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Before reports whether p comes strictly before q.
func (p Pos) Before(q Pos) bool {
	return p.Line < q.Line || (p.Line == q.Line && p.Col < q.Col)
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Range is the half-open span [Start, End).
type Range struct {
	Start Pos
	End   Pos
}

// IsValid reports whether the range starts on a real line.
func (r Range) IsValid() bool { return r.Start.IsValid() }

// Span returns the smallest range covering both a and b (an invalid one is ignored).
func Span(a, b Range) Range {
	if !a.IsValid() {
		return b
	}
	if !b.IsValid() {
		return a
	}
	out := a
	if b.Start.Before(out.Start) {
		out.Start = b.Start
	}
	if out.End.Before(b.End) {
		out.End = b.End
	}
	return out
}

// LineRange covers a whole line given its text (column 1 to just past the end).
func LineRange(line int, text string) Range {
	return Range{Start: Pos{line, 1}, End: Pos{line, 1 + utf8.RuneCountInString(text)}}
}

// Column converts a byte offset within a line into a 1-based character column.
func Column(line string, byteOff int) int {
	if byteOff > len(line) {
		byteOff = len(line)
	}
	if byteOff < 0 {
		byteOff = 0
	}
	return 1 + utf8.RuneCountInString(line[:byteOff])
}

// ContainsFoldASCII reports whether s contains word (lower-case ASCII) in
// any ASCII letter case, without a lower-cased copy of s: the cheap test
// before a directive parser (`# check=`, `# escape=`), whose names are
// ASCII.
func ContainsFoldASCII[S ~string | ~[]byte](s S, word string) bool {
	for i := 0; i+len(word) <= len(s); i++ {
		j := 0
		for j < len(word) && lowerASCII(s[i+j]) == word[j] {
			j++
		}
		if j == len(word) {
			return true
		}
	}
	return false
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

// ValidUTF8 is s with each byte that is not UTF-8 replaced by U+FFFD, one
// per byte, as a UTF-8 decoder reads it (encoding/json writes it so, and
// text/scanner decodes it so). strings.ToValidUTF8 would merge a run of
// such bytes into one.
func ValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

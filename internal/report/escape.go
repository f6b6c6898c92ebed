package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape makes s safe to print on a terminal or into a CI log, where it may
// sit beside problem-matcher lines: file names, messages and source lines
// come from repositories and images under review, so they are hostile input.
// Control characters (C0 but tab, DEL, C1), Unicode line and paragraph
// separators, bidirectional formatting characters (which make a line read
// differently from what it holds) and bytes that are not UTF-8 are written as
// Go-style escapes: "\n", "\r", "\x1b", "\u202e", "\xff". A newline can
// therefore never start a forged "file:line:col: error: ..." line, nor an ESC
// sequence recolor or rewrite the terminal. Tabs stay as they are (harmless,
// and source lines keep their alignment); so do backslashes, so Windows paths
// read as they are written. Text without such characters is returned as is.
//
// Two ASCII sequences are escaped too, because the GitHub Actions runner
// executes them from any line of the log: "##[" anywhere (the legacy
// workflow-command syntax, "##[stop-commands]token" or "##[remove-matcher
// owner=dockvet]") has its '[' written "\x5b", and "::" opening s after
// blanks (a workflow command, since the runner trims the line first, and s
// may open a line: a file name in gnu output, an indented source line) has
// its first ':' written "\x3a".
func Escape(s string) string {
	if firstUnsafe(s) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, u := range units(s) {
		b.WriteString(u.text)
	}
	return b.String()
}

// firstUnsafe is the byte offset of the first character Escape rewrites, -1
// if none.
func firstUnsafe(s string) int {
	if i := commandColon(s); i >= 0 {
		return i
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' || c == 0x7f || legacyCommandBracket(s, i) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// commandColon is the byte offset of the "::" that opens s after blanks
// (runes the runner trims, that Escape leaves as they are), -1 if s does not
// open so.
func commandColon(s string) int {
	for i, r := range s {
		if unicode.IsSpace(r) && !unsafeRune(r) {
			continue
		}
		if strings.HasPrefix(s[i:], "::") {
			return i
		}
		return -1
	}
	return -1
}

// legacyCommandBracket reports whether s[i] is the '[' of a "##[".
func legacyCommandBracket(s string, i int) bool {
	return s[i] == '[' && i >= 2 && s[i-2] == '#' && s[i-1] == '#'
}

// unsafeRune reports whether a valid rune is one Escape rewrites.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\t'
	case r == 0x7f, r >= 0x80 && r <= 0x9f: // DEL, C1 (0x9b is an 8-bit CSI)
		return true
	case r == '\u2028', r == '\u2029': // line and paragraph separators
		return true
	case r == '\u061c', r == '\u200e', r == '\u200f', // bidi marks
		r >= '\u202a' && r <= '\u202e', // embeddings and overrides
		r >= '\u2066' && r <= '\u2069': // isolates
		return true
	}
	return false
}

// unit is one column of a line (a rune, or a byte that is not UTF-8) and the
// text Escape writes for it.
type unit struct {
	text    string
	escaped bool
}

// units splits s into its columns as Escape renders them; a column keeps one
// position in source.Range columns however long its escape is.
func units(s string) []unit {
	out := make([]unit, 0, len(s))
	colon := commandColon(s)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		raw := s[i : i+size]
		switch {
		case i == colon || legacyCommandBracket(s, i):
			out = append(out, unit{fmt.Sprintf(`\x%02x`, r), true})
		case r == utf8.RuneError && size == 1:
			out = append(out, unit{fmt.Sprintf(`\x%02x`, raw[0]), true})
		case !unsafeRune(r):
			out = append(out, unit{raw, false})
		default:
			out = append(out, unit{escapeRune(r), true})
		}
		i += size
	}
	return out
}

// escapeRune is the escape Escape writes for a rune unsafeRune reports.
func escapeRune(r rune) string {
	switch {
	case r == '\n':
		return `\n`
	case r == '\r':
		return `\r`
	case r < 0x80:
		return fmt.Sprintf(`\x%02x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// escapeRunesButLineEnds escapes what Escape does but CR and LF, in valid
// UTF-8 text, for formats whose own escaping carries line ends (GitHub's
// %0A) or renders them (a Markdown <br>): ESC, C1 and bidirectional
// overrides must not reach a log that renders ANSI or a reader's eye.
func escapeRunesButLineEnds(s string) string {
	unsafe := func(r rune) bool { return r != '\n' && r != '\r' && unsafeRune(r) }
	if !strings.ContainsFunc(s, unsafe) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafe(r) {
			b.WriteString(escapeRune(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

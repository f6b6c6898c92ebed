// Package yamlerr locates YAML syntax errors: the line and column of the
// offending character, for the manifests and config files dockvet reads.
package yamlerr

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v4"
)

// Position is a YAML error's place in the input, 1-based, columns in
// characters as every other dockvet position; zero when unknown.
type Position struct {
	Line, Col int
	// Msg is the YAML library's description of the problem, with the
	// construct it was reading and where that starts ("did not find
	// expected ',' or ']' (in the flow sequence that starts at 1:4)").
	Msg string
}

// Locate returns where err, an error of the YAML library while reading
// data, is. The scanner, parser and composer give the line and column of
// the character they stopped at; the reader (invalid UTF-8, a control
// character) gives only a byte offset, converted here with the library's
// own line breaks.
func Locate(data []byte, err error) Position { return LocateIn(data, 1, true, err) }

// LocateIn is Locate for a part of a stream decoded on its own: data
// starts at line firstLine of the stream (streamStart: at its very start,
// where a byte order mark may be), and the returned lines are the
// stream's.
func LocateIn(data []byte, firstLine int, streamStart bool, err error) Position {
	var le *yaml.LoadError
	if !errors.As(err, &le) {
		return Position{Msg: err.Error()}
	}
	shift := firstLine - 1
	p := Position{Line: le.Mark.Line, Col: le.Mark.Column, Msg: le.Message}
	if off := le.Mark.Index; p.Line == 0 && le.Stage == yaml.ReaderStage && off >= 0 && off <= len(data) {
		p.Line, p.Col = lineCol(data, sequenceStart(data, off, le.Message), streamStart)
	}
	if p.Line > 0 {
		p.Line += shift
	}
	if le.ContextMsg != "" {
		if le.ContextMark.Line > 0 && le.ContextMark != le.Mark {
			p.Msg = fmt.Sprintf("%s (%s that starts at %d:%d)", p.Msg, le.ContextMsg, le.ContextMark.Line+shift, le.ContextMark.Column)
		} else {
			p.Msg = fmt.Sprintf("%s (%s)", p.Msg, le.ContextMsg)
		}
	}
	return p
}

// sequenceStart moves the offset of a bad trailing byte, where the reader
// stopped, back to the start of the character it belongs to: the broken
// character is the offending one, as an editor shows it.
func sequenceStart(data []byte, off int, msg string) int {
	switch {
	case strings.HasPrefix(msg, "invalid trailing UTF-8 octet"):
		for off > 0 {
			off--
			if data[off]&0xC0 != 0x80 {
				break
			}
		}
	case strings.HasPrefix(msg, "expected low surrogate area") && off >= 2:
		off -= 2
	}
	return off
}

// lineCol converts a byte offset into the line and column the YAML
// scanner would give the character there: line breaks are LF, CR LF, a
// lone CR, NEL, LS and PS, and a byte order mark at the start of the
// stream takes no column.
func lineCol(data []byte, off int, streamStart bool) (line, col int) {
	text := decode(data[:off], streamStart)
	line, col = 1, 1
	for i := 0; i < len(text); i++ {
		switch r := text[i]; {
		case r == '\r' && i+1 < len(text) && text[i+1] == '\n':
			// counted at the LF
		case r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029:
			line, col = line+1, 1
		case r == 0xFEFF && i == 0 && streamStart:
		default:
			col++
		}
	}
	return line, col
}

// decode returns the characters of b, which the YAML reader accepted up to
// an error: UTF-16 when it starts with a UTF-16 byte order mark (as the
// reader decides), else UTF-8.
func decode(b []byte, streamStart bool) []rune {
	if streamStart && len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		little := b[0] == 0xFF
		units := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			if little {
				units = append(units, uint16(b[i])|uint16(b[i+1])<<8)
			} else {
				units = append(units, uint16(b[i])<<8|uint16(b[i+1]))
			}
		}
		return utf16.Decode(units)
	}
	out := make([]rune, 0, utf8.RuneCount(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		out = append(out, r)
		b = b[n:]
	}
	return out
}

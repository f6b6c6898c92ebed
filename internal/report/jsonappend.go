package report

import (
	"strconv"
	"unicode/utf8"
)

// The findings are most of a JSON run's output, and encoding/json spent
// more on reflection and re-indenting each one than on the bytes: the
// functions below write a jsonFinding directly, byte for byte what
// jsonStream's encoder writes for it (prefix "    ", indent "  ", no HTML
// escaping). TestJSONAppendIsEncodingJSON holds them to encoding/json.

// jsonIndent[d] starts a line at depth d inside a top-level array element.
var jsonIndent = [...]string{
	"\n    ",
	"\n      ",
	"\n        ",
	"\n          ",
	"\n            ",
}

func appendJSONFinding(b []byte, f *jsonFinding) []byte {
	const d = 1
	b = append(b, '{')
	b = appendJSONKey(b, d, "rule", true)
	b = appendJSONString(b, f.Rule)
	b = appendJSONKey(b, d, "name", false)
	b = appendJSONString(b, f.Name)
	b = appendJSONKey(b, d, "severity", false)
	b = appendJSONString(b, f.Severity)
	b = appendJSONKey(b, d, "file", false)
	b = appendJSONString(b, f.File)
	b = appendJSONKey(b, d, "line", false)
	b = strconv.AppendInt(b, int64(f.Line), 10)
	b = appendJSONKey(b, d, "column", false)
	b = strconv.AppendInt(b, int64(f.Column), 10)
	b = appendJSONKey(b, d, "endLine", false)
	b = strconv.AppendInt(b, int64(f.EndLine), 10)
	b = appendJSONKey(b, d, "endColumn", false)
	b = strconv.AppendInt(b, int64(f.EndColumn), 10)
	b = appendJSONKey(b, d, "message", false)
	b = appendJSONString(b, f.Message)
	if len(f.Related) > 0 { // omitempty
		b = appendJSONKey(b, d, "related", false)
		b = append(b, '[')
		for i := range f.Related {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, jsonIndent[d+1]...)
			b = appendJSONRelated(b, d+1, &f.Related[i])
		}
		b = append(b, jsonIndent[d]...)
		b = append(b, ']')
	}
	if f.Fix != nil { // omitempty
		b = appendJSONKey(b, d, "fix", false)
		b = appendJSONFix(b, d, f.Fix)
	}
	b = append(b, jsonIndent[d-1]...)
	return append(b, '}')
}

func appendJSONRelated(b []byte, d int, r *jsonRelated) []byte {
	b = append(b, '{')
	b = appendJSONKey(b, d+1, "file", true)
	b = appendJSONString(b, r.File)
	b = appendJSONKey(b, d+1, "line", false)
	b = strconv.AppendInt(b, int64(r.Line), 10)
	b = appendJSONKey(b, d+1, "column", false)
	b = strconv.AppendInt(b, int64(r.Column), 10)
	b = appendJSONKey(b, d+1, "message", false)
	b = appendJSONString(b, r.Message)
	b = append(b, jsonIndent[d]...)
	return append(b, '}')
}

// appendJSONFix writes fix as a member at depth d (its closing brace is at
// depth d, its members one deeper).
func appendJSONFix(b []byte, d int, fix *jsonFix) []byte {
	b = append(b, '{')
	b = appendJSONKey(b, d+1, "description", true)
	b = appendJSONString(b, fix.Description)
	b = appendJSONKey(b, d+1, "edits", false)
	switch {
	case fix.Edits == nil:
		b = append(b, "null"...)
	case len(fix.Edits) == 0:
		b = append(b, "[]"...)
	default:
		b = append(b, '[')
		for i := range fix.Edits {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, jsonIndent[d+2]...)
			b = appendJSONEdit(b, d+2, &fix.Edits[i])
		}
		b = append(b, jsonIndent[d+1]...)
		b = append(b, ']')
	}
	b = append(b, jsonIndent[d]...)
	return append(b, '}')
}

func appendJSONEdit(b []byte, d int, e *jsonEdit) []byte {
	b = append(b, '{')
	b = appendJSONKey(b, d+1, "line", true)
	b = strconv.AppendInt(b, int64(e.Line), 10)
	b = appendJSONKey(b, d+1, "column", false)
	b = strconv.AppendInt(b, int64(e.Column), 10)
	b = appendJSONKey(b, d+1, "endLine", false)
	b = strconv.AppendInt(b, int64(e.EndLine), 10)
	b = appendJSONKey(b, d+1, "endColumn", false)
	b = strconv.AppendInt(b, int64(e.EndColumn), 10)
	b = appendJSONKey(b, d+1, "newText", false)
	b = appendJSONString(b, e.NewText)
	b = append(b, jsonIndent[d]...)
	return append(b, '}')
}

// appendJSONKey starts a member at depth d: the comma after the previous
// one, the new line and `"key": ` (keys are plain ASCII).
func appendJSONKey(b []byte, d int, key string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, jsonIndent[d]...)
	b = append(b, '"')
	b = append(b, key...)
	return append(b, `": `...)
}

const jsonHex = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does without HTML escaping:
// '"' and '\\' escaped, control characters as \b \f \n \r \t or \u00XX,
// each invalid UTF-8 byte as \ufffd, U+2028 and U+2029 as \u2028 and \u2029
// (JavaScript line terminators); everything else as is.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		var esc string
		var u [6]byte
		size := 1
		switch {
		case c == '"':
			esc = `\"`
		case c == '\\':
			esc = `\\`
		case c == '\b':
			esc = `\b`
		case c == '\f':
			esc = `\f`
		case c == '\n':
			esc = `\n`
		case c == '\r':
			esc = `\r`
		case c == '\t':
			esc = `\t`
		case c < 0x20:
			u = [6]byte{'\\', 'u', '0', '0', jsonHex[c>>4], jsonHex[c&0xf]}
			esc = string(u[:])
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			size = n
			switch {
			case r == utf8.RuneError && n == 1:
				esc = `\ufffd`
			case r == '\u2028':
				esc = `\u2028`
			case r == '\u2029':
				esc = `\u2029`
			default:
				i += n
				continue
			}
		}
		b = append(b, s[done:i]...)
		b = append(b, esc...)
		i += size
		done = i
	}
	b = append(b, s[done:]...)
	return append(b, '"')
}

package dockerfile

import "github.com/dockvet/dockvet/internal/source"

// Comments returns the comment lines directly above the instruction (text
// after '#', trimmed), as BuildKit collects them: blank lines do not end the
// block, a bare '#' line does. BuildKit reads per-instruction `# check=`
// settings from them.
func (in *Instruction) Comments() []string {
	if in.Node == nil {
		return nil
	}
	return in.Node.PrevComment
}

// VarRange returns where the instruction first refers to variable name ($name
// or ${name...}, the dollar through the name), in its logical line (flags
// and arguments; heredoc bodies are not searched).
func (in *Instruction) VarRange(name string, esc rune) (source.Range, bool) {
	if in.logical == nil {
		return source.Range{}, false
	}
	text := in.logical.text
	from, to := -1, -1
	varRefsAt(text, byte(esc), func(n string, start, end int) bool {
		if n == name {
			from, to = start, end
			return false
		}
		return true
	})
	if from < 0 {
		return source.Range{}, false
	}
	return in.logical.rng(from, to), true
}

// TextRange returns where sub is first written in the instruction's logical
// line at or after the arguments start (flags included), false when it is
// not (it came from a variable or a heredoc body).
func (in *Instruction) TextRange(sub string) (source.Range, bool) {
	if in.logical == nil || sub == "" {
		return source.Range{}, false
	}
	text := in.logical.text
	start := 0
	if len(in.Flags) == 0 {
		start = min(in.argsOff, len(text))
	}
	for i := start; i+len(sub) <= len(text); i++ {
		if text[i:i+len(sub)] == sub {
			return in.logical.rng(i, i+len(sub)), true
		}
	}
	return source.Range{}, false
}

// varRefsAt calls fn with every $NAME or ${NAME...} reference of text (escaped
// dollars skipped): the name and the byte span from the dollar to the end of
// the name, or for the braced form to its closing brace (modifiers such as
// ${NAME:-default} included). fn returns false to stop.
func varRefsAt(text string, esc byte, fn func(name string, start, end int) bool) {
	for i := 0; i < len(text); i++ {
		if text[i] == esc {
			i++
			continue
		}
		if text[i] != '$' {
			continue
		}
		j := i + 1
		braced := j < len(text) && text[j] == '{'
		if braced {
			j++
		}
		k := j
		for k < len(text) && isNameByte(text[k]) {
			k++
		}
		if k == j {
			continue
		}
		end := k
		if braced {
			end = closingBrace(text, k, esc)
		}
		if !fn(text[j:k], i, end) {
			return
		}
	}
}

// closingBrace returns the offset just after the `}` that closes a `${`
// whose name ends at from (modifiers such as :-default, :+alt and nested
// ${...} included), or from when the brace is not closed.
func closingBrace(text string, from int, esc byte) int {
	depth := 1
	for i := from; i < len(text); i++ {
		switch c := text[i]; {
		case c == esc:
			i++
		case c == '$' && i+1 < len(text) && text[i+1] == '{':
			depth++
			i++
		case c == '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return from
}

func isNameByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

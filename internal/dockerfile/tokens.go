package dockerfile

import (
	"encoding/json"
	"strings"
)

// tokenize finds the keyword, the nflags builder flags and the arguments of an
// instruction in its logical line, recording their source ranges.
func tokenize(in *Instruction, lm *textMap, nflags int) {
	text := lm.text
	i := skipSpace(text, 0)
	kwEnd := wordEnd(text, i, false)
	in.KeywordRange = lm.rng(i, kwEnd)
	i = kwEnd
	for n := 0; n < nflags; n++ {
		i = skipSpace(text, i)
		end := wordEnd(text, i, true)
		if i >= end {
			break
		}
		in.Flags = append(in.Flags, newFlag(lm, i, end))
		i = end
	}
	i = skipSpace(text, i)
	argsEnd := len(strings.TrimRightFunc(text, isSpace))
	if argsEnd < i {
		argsEnd = i
	}
	in.argsOff, in.argsEnd = i, argsEnd
	in.ArgsText = text[i:argsEnd]
	in.ArgsRange = lm.rng(i, argsEnd)
	if in.JSON {
		in.Args = jsonTokens(lm, i, argsEnd)
		return
	}
	for j := i; j < argsEnd; {
		j = skipSpace(text, j)
		if j >= argsEnd {
			break
		}
		end := min(wordEnd(text, j, true), argsEnd)
		in.Args = append(in.Args, Token{Value: text[j:end], Range: lm.rng(j, end), off: j})
		j = end
	}
}

func newFlag(lm *textMap, from, to int) Flag {
	word := lm.text[from:to]
	name := strings.TrimLeft(word, "-")
	fl := Flag{Name: name, Range: lm.rng(from, to)}
	if eq := strings.IndexByte(name, '='); eq >= 0 {
		fl.Name, fl.Value, fl.HasValue = name[:eq], name[eq+1:], true
		valueFrom := to - len(fl.Value)
		fl.ValueRange = lm.rng(valueFrom, to)
		fl.valueOff = valueFrom
		fl.Value = unquote(fl.Value)
	}
	return fl
}

// unquote removes one level of matching surrounding quotes.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\v' || r == '\f' || r == '\r' || r == '\n'
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(rune(s[i])) {
		i++
	}
	return i
}

// wordEnd returns the end of the word starting at i; with quotes, white space
// inside '...' or "..." does not end it (as BuildKit's flag splitter does).
func wordEnd(s string, i int, quotes bool) int {
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case quotes && (c == '"' || c == '\''):
			quote = c
		case isSpace(rune(c)):
			return i
		}
	}
	return i
}

// jsonTokens finds the string literals of a JSON array in text[from:to].
func jsonTokens(lm *textMap, from, to int) []Token {
	text := lm.text
	var out []Token
	for i := from; i < to; i++ {
		if text[i] != '"' {
			continue
		}
		j := i + 1
		for j < to && text[j] != '"' {
			if text[j] == '\\' {
				j++
			}
			j++
		}
		if j >= to {
			break
		}
		var v string
		if err := json.Unmarshal([]byte(text[i:j+1]), &v); err != nil {
			v = text[i+1 : j]
		}
		out = append(out, Token{Value: v, Range: lm.rng(i, j+1), off: i})
		i = j
	}
	return out
}

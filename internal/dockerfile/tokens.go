package dockerfile

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenize finds the keyword, the builder flags and the argument text of an
// instruction in its logical line, recording their source ranges. flags are
// BuildKit's parsed flags (node.Flags); esc is the escape character.
func (f *File) tokenize(in *Instruction, lm *textMap, flags []string, esc byte) {
	text := lm.text
	i := skipSpace(text, 0)
	kwEnd := i
	for kwEnd < len(text) && !isSpace(rune(text[kwEnd])) {
		kwEnd++
	}
	in.KeywordRange = lm.rng(i, kwEnd)
	i = kwEnd
	if len(flags) > 0 {
		in.Flags = make([]Flag, 0, len(flags))
	}
	for n := 0; n < len(flags); n++ {
		i = skipFlagSpace(text, i)
		word, offs, end := flagWord(text, i, esc)
		if i >= end {
			break
		}
		in.Flags = append(in.Flags, newFlag(lm, i, end, word, offs, flags[n]))
		i = end
	}
	// BuildKit's flag scanner consumes a `--` word that ends the flags.
	if j := skipFlagSpace(text, i); strings.HasPrefix(text[j:], "--") && (j+2 == len(text) || isFlagSpace(text[j+2])) {
		i = j + 2
	}
	i = len(text) - len(strings.TrimLeftFunc(text[i:], unicode.IsSpace))
	argsEnd := len(strings.TrimRightFunc(text, unicode.IsSpace))
	if argsEnd < i {
		argsEnd = i
	}
	in.argsOff, in.argsEnd = i, argsEnd
	in.escape = esc
	in.ArgsText = text[i:argsEnd]
	in.ArgsRange = lm.rng(i, argsEnd)
}

// Args returns the arguments after the flags: the strings of a JSON (exec)
// form, or whitespace-separated words (quotes kept) otherwise. They are
// found on first use: most instructions are RUNs, whose rules read the
// shell model (Script), so tokenizing every word of every RUN up front
// cost about 12 MB and a tenth of the front end's time per corpus pass
// (issue 11). Like the rest of the model (the line table's column caches),
// an Instruction is read by one goroutine at a time.
func (in *Instruction) Args() []Token {
	if !in.argsDone {
		in.args = in.tokenizeArgs()
		in.argsDone = true
	}
	return in.args
}

func (in *Instruction) tokenizeArgs() []Token {
	lm := in.logical
	if lm == nil {
		return nil
	}
	text, argsEnd := lm.text, in.argsEnd
	if in.JSON {
		return jsonTokens(lm, in.argsOff, argsEnd)
	}
	n := 0
	for j := skipSpace(text, in.argsOff); j < argsEnd; j = skipSpace(text, j) {
		j = min(wordEnd(text, j, in.escape), argsEnd)
		n++
	}
	if n == 0 {
		return nil
	}
	var args []Token
	if in.mem != nil {
		args = in.mem.tokens.alloc(n)[:0]
	} else {
		args = make([]Token, 0, n)
	}
	for j := skipSpace(text, in.argsOff); j < argsEnd; j = skipSpace(text, j) {
		end := min(wordEnd(text, j, in.escape), argsEnd)
		args = append(args, Token{Value: text[j:end], Range: lm.rng(j, end), off: j, end: end})
		j = end
	}
	return args
}

// flagWord reads a builder flag starting at text[i] as BuildKit's
// extractBuilderFlags does (byte by byte): quotes are removed, the escape
// character escapes the next byte, white space outside quotes ends the word.
// It returns the decoded word, the offset in text of each of its bytes, and
// where the word ends.
func flagWord(text string, i int, esc byte) (string, []int, int) {
	n := 0
	for n < len(text)-i && !isFlagSpace(text[i+n]) {
		n++
	}
	buf := make([]byte, 0, n)
	offs := make([]int, 0, n)
	var quote byte
	pos := i
	for ; pos < len(text); pos++ {
		ch := text[pos]
		if quote == 0 {
			if isFlagSpace(ch) {
				break
			}
			if ch == '\'' || ch == '"' {
				quote = ch
				continue
			}
		} else if ch == quote {
			quote = 0
			continue
		}
		if ch == esc {
			if pos+1 == len(text) {
				continue
			}
			pos++
			ch = text[pos]
		}
		buf = append(buf, ch)
		offs = append(offs, pos)
	}
	return string(buf), offs, pos
}

// isFlagSpace is BuildKit's unicode.IsSpace(rune(byte)) in the flag scanner.
func isFlagSpace(c byte) bool {
	return unicode.IsSpace(rune(c))
}

func skipFlagSpace(s string, i int) int {
	for i < len(s) && isFlagSpace(s[i]) {
		i++
	}
	return i
}

// newFlag records the flag text[from:to]; word is its decoded text and offs
// the offset of each decoded byte, bk BuildKit's own reading of it.
func newFlag(lm *textMap, from, to int, word string, offs []int, bk string) Flag {
	if word != bk && bk != bytesAsRunes(word) {
		// We read the flag differently from BuildKit: keep its value, and
		// position the value on the whole flag.
		word, offs = bk, nil
	}
	name := strings.TrimLeft(word, "-")
	dashes := len(word) - len(name)
	fl := Flag{Name: name, Range: lm.rng(from, to), valueOff: to}
	eq := strings.IndexByte(name, '=')
	if eq < 0 {
		fl.ValueRange = lm.rng(to, to)
		return fl
	}
	fl.Name, fl.Value, fl.HasValue = name[:eq], name[eq+1:], true
	if offs == nil {
		fl.valueOff = from
		fl.ValueRange = fl.Range
		return fl
	}
	eqOff := offs[dashes+eq]
	fl.valueOff = eqOff + 1
	fl.ValueRange = lm.rng(eqOff+1, to)
	if fl.Value != "" {
		fl.valueMap = &valueMap{offs: offs[dashes+eq+1:]}
	}
	return fl
}

// bytesAsRunes is how BuildKit's flag scanner mangles non-ASCII text: it
// writes each byte as the rune of the same value ("ü" becomes "Ã¼"). A flag
// is kept as written, not as mangled.
func bytesAsRunes(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			var sb strings.Builder
			for j := 0; j < len(s); j++ {
				sb.WriteRune(rune(s[j]))
			}
			return sb.String()
		}
	}
	return s
}

// valueMap maps each byte of a decoded flag value to its offset in the
// logical line.
type valueMap struct {
	offs []int
}

// span returns the logical-line span [from, to) of the decoded value bytes
// [a, b), or ok=false when the flag has no map.
func (fl *Flag) span(a, b int) (from, to int, ok bool) {
	if fl.valueMap == nil || a < 0 || b > len(fl.valueMap.offs) || a >= b {
		return 0, 0, false
	}
	return fl.valueMap.offs[a], fl.valueMap.offs[b-1] + 1, true
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

// wordEnd returns the end of the word starting at i, as BuildKit's
// parseWords splits words: white space inside '...' or "..." does not end it,
// and the escape character escapes the next character except inside '...'.
func wordEnd(s string, i int, esc byte) int {
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == esc && quote != '\'':
			if i+1 < len(s) {
				i++
			}
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
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
		v, _, ok := decodeJSONString(text[i+1:j], 0, false)
		if !ok {
			if err := json.Unmarshal([]byte(text[i:j+1]), &v); err != nil {
				v = text[i+1 : j]
			}
		}
		out = append(out, Token{Value: v, Range: lm.rng(i, j+1), off: i, end: j + 1})
		i = j
	}
	return out
}

// decodeJSONString decodes the body of a JSON string literal (without its
// quotes) that starts at offset base. With offsets, it also returns, for each
// byte of the result, the span [start, end) of the source bytes it came from.
// ok is false when the text is not something it decodes exactly as
// encoding/json would (invalid UTF-8, control characters, bad escapes).
func decodeJSONString(s string, base int, offsets bool) (string, []span, bool) {
	if !strings.ContainsRune(s, '\\') && utf8.ValidString(s) && !offsets {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 {
				return "", nil, false
			}
		}
		return s, nil, true
	}
	var sb strings.Builder
	var spans []span
	emit := func(str string, from, to int) {
		sb.WriteString(str)
		if offsets {
			for range len(str) {
				spans = append(spans, span{base + from, base + to})
			}
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c < 0x20:
			return "", nil, false
		case c == '\\':
			if i+1 >= len(s) {
				return "", nil, false
			}
			var r string
			n := 2
			switch s[i+1] {
			case '"':
				r = `"`
			case '\\':
				r = `\`
			case '/':
				r = "/"
			case 'b':
				r = "\b"
			case 'f':
				r = "\f"
			case 'n':
				r = "\n"
			case 'r':
				r = "\r"
			case 't':
				r = "\t"
			case 'u':
				cp, ok := hex4(s, i+2)
				if !ok {
					return "", nil, false
				}
				n = 6
				if utf16IsSurrogate(cp) {
					lo, ok := hex4(s, i+8)
					if !ok || s[i+6] != '\\' || s[i+7] != 'u' || lo < 0xdc00 || lo >= 0xe000 {
						return "", nil, false
					}
					cp = (cp-0xd800)<<10 + (lo - 0xdc00) + 0x10000
					n = 12
				}
				r = string(cp)
			default:
				return "", nil, false
			}
			emit(r, i, i+n)
			i += n
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return "", nil, false
			}
			emit(s[i:i+size], i, i+size)
			i += size
		}
	}
	return sb.String(), spans, true
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

func utf16IsSurrogate(r rune) bool { return r >= 0xd800 && r < 0xdc00 }

// span is a byte span [start, end) of a text.
type span struct{ start, end int }

package dockerfile

import (
	"path"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockvet/dockvet/internal/source"
)

// Script is a shell program run by an instruction, parsed with mvdan.cc/sh.
type Script struct {
	// Text is the program as the shell receives it.
	Text string
	// Err is the shell's parse error, nil when the script parsed. A script
	// that does not parse has no Calls, so rules stay silent about it.
	Err error
	// Calls lists every simple command in source order, with the scripts run
	// by `sh -c '...'` and `bash <<EOF` flattened in at their place.
	Calls []*Call
}

// Call is one simple command, such as `apt-get install -y curl`.
type Call struct {
	// Name is the program's base name after transparent prefixes (sudo, env,
	// command, exec, nohup, time, nice, timeout) are removed; "" when the name
	// is not a literal word.
	Name      string
	NameRange source.Range
	// Args are the words after the name.
	Args []Word
	// Range spans the whole command, prefixes included.
	Range source.Range
	// Conditional is true when the command runs only if an earlier one failed
	// (the right side of ||) or sits in a branch of if, case, while or a
	// function body: a rule cannot count on it having run.
	Conditional bool
}

// Word is a shell word. Value is the word after quote removal when Literal,
// otherwise the source text (with its $expansions).
type Word struct {
	Value   string
	Literal bool
	Range   source.Range
}

// Arg returns the i-th argument's value, "" when out of range.
func (c *Call) Arg(i int) string {
	if i < 0 || i >= len(c.Args) {
		return ""
	}
	return c.Args[i].Value
}

// Operands returns the arguments that are not options (do not start with
// '-'), in order. It does not know which options take values.
func (c *Call) Operands() []Word {
	var out []Word
	for _, a := range c.Args {
		if !strings.HasPrefix(a.Value, "-") || a.Value == "-" {
			out = append(out, a)
		}
	}
	return out
}

// HasOption reports whether any argument is one of the long options (given
// with their dashes, e.g. "--no-cache", matched also as "--no-cache=...") or
// contains one of the short option letters in a cluster like -qy.
func (c *Call) HasOption(shorts string, longs ...string) bool {
	for _, a := range c.Args {
		v := a.Value
		if v == "--" {
			return false
		}
		if strings.HasPrefix(v, "--") {
			for _, l := range longs {
				if v == l || strings.HasPrefix(v, l+"=") {
					return true
				}
			}
			continue
		}
		if len(v) > 1 && v[0] == '-' && shorts != "" && strings.ContainsAny(v[1:], shorts) {
			return true
		}
	}
	return false
}

// mapper turns a byte span of a script into a source range.
type mapper func(from, to int) source.Range

type scriptParser struct {
	p   *syntax.Parser
	mem *arenas // the file's allocators, set while it parses a file's scripts
}

// scriptParsers recycles shell parsers, which are large, across files.
var scriptParsers = sync.Pool{New: func() any {
	return &scriptParser{p: syntax.NewParser(syntax.Variant(syntax.LangBash))}
}}

func newScriptParser() *scriptParser { return scriptParsers.Get().(*scriptParser) }

func (sp *scriptParser) release() {
	sp.mem = nil
	scriptParsers.Put(sp)
}

// maxShellDepth bounds `sh -c "sh -c '...'"` recursion.
const maxShellDepth = 4

func (sp *scriptParser) parse(text string, m mapper) *Script {
	s := &Script{Text: text}
	sp.collect(s, text, m, false, 0)
	return s
}

// collect parses text and appends its calls to s.
func (sp *scriptParser) collect(s *Script, text string, m mapper, cond bool, depth int) {
	f, err := sp.p.Parse(strings.NewReader(text), "")
	if err != nil {
		if depth == 0 {
			s.Err = err
		}
		return
	}
	w := &callWalker{sp: sp, s: s, text: text, m: m, depth: depth}
	w.stmts(f.Stmts, cond)
}

type callWalker struct {
	sp    *scriptParser
	s     *Script
	text  string
	m     mapper
	depth int
}

func (w *callWalker) stmts(list []*syntax.Stmt, cond bool) {
	for _, st := range list {
		w.stmt(st, cond)
	}
}

func (w *callWalker) stmt(st *syntax.Stmt, cond bool) {
	if st == nil {
		return
	}
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		w.call(c, st, cond)
	case *syntax.BinaryCmd:
		w.stmt(c.X, cond)
		w.stmt(c.Y, cond || c.Op == syntax.OrStmt)
	case *syntax.Subshell:
		w.stmts(c.Stmts, cond)
	case *syntax.Block:
		w.stmts(c.Stmts, cond)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			w.stmts(ic.Cond, cond || ic != c)
			w.stmts(ic.Then, true)
		}
	case *syntax.WhileClause:
		w.stmts(c.Cond, cond)
		w.stmts(c.Do, true)
	case *syntax.ForClause:
		w.stmts(c.Do, cond)
	case *syntax.CaseClause:
		for _, item := range c.Items {
			w.stmts(item.Stmts, true)
		}
	case *syntax.FuncDecl:
		w.stmt(c.Body, true)
	case *syntax.TimeClause:
		w.stmt(c.Stmt, cond)
	case *syntax.CoprocClause:
		w.stmt(c.Stmt, true)
	}
}

func (w *callWalker) word(x *syntax.Word) Word {
	from, to := int(x.Pos().Offset()), int(x.End().Offset())
	from, to = min(from, len(w.text)), min(to, len(w.text))
	v, _, ok := wordValue(w.text, x, false)
	if !ok {
		v = w.text[from:to]
	}
	return Word{Value: v, Literal: ok, Range: w.m(from, to)}
}

func (w *callWalker) call(c *syntax.CallExpr, st *syntax.Stmt, cond bool) {
	if len(c.Args) == 0 {
		return // a bare assignment
	}
	words := make([]Word, len(c.Args))
	for i, a := range c.Args {
		words[i] = w.word(a)
	}
	start := skipPrefixes(words)
	if start >= len(words) {
		start = len(words) - 1
	}
	call := &Call{
		Args:        words[start+1:],
		NameRange:   words[start].Range,
		Range:       source.Span(words[0].Range, words[len(words)-1].Range),
		Conditional: cond,
	}
	if words[start].Literal {
		call.Name = path.Base(words[start].Value)
	}
	w.s.Calls = append(w.s.Calls, call)
	if w.depth >= maxShellDepth || !isPOSIXShell(call.Name) {
		return
	}
	// sh -c 'script': the script is the first operand after a -c option.
	if i := shellCommandArg(call.Args); i >= 0 {
		arg := c.Args[start+1+i]
		if inner, spans, ok := wordValue(w.text, arg, true); ok {
			w.sp.collect(w.s, inner, spanMapper(w.m, spans), cond, w.depth+1)
		}
		return
	}
	// bash <<EOF ... EOF: the heredoc is the script on standard input.
	if len(call.Operands()) == 0 {
		for _, r := range st.Redirs {
			if (r.Op == syntax.Hdoc || r.Op == syntax.DashHdoc) && r.Hdoc != nil {
				from, to := int(r.Hdoc.Pos().Offset()), int(r.Hdoc.End().Offset())
				to = min(to, len(w.text))
				if delim, _, ok := wordValue(w.text, r.Word, false); ok && from < to {
					// The body may end with its terminator line; that is not a command.
					body := strings.TrimRight(w.text[from:to], "\n")
					if i := strings.LastIndexByte(body, '\n'); strings.TrimLeft(body[i+1:], "\t") == delim {
						to = from + max(i, 0)
					}
				}
				if from < to {
					outer := w.m
					w.sp.collect(w.s, w.text[from:to], func(a, b int) source.Range {
						return outer(from+a, from+b)
					}, cond, w.depth+1)
				}
			}
		}
	}
}

// spanMapper maps a span of a decoded text, whose byte i came from the span
// spans[i] of the outer text, through the outer mapper.
func spanMapper(outer mapper, spans []span) mapper {
	return func(a, b int) source.Range {
		n := len(spans)
		if n == 0 {
			return outer(0, 0)
		}
		a, b = min(max(a, 0), n), min(max(b, 0), n)
		if b <= a {
			off := spans[n-1].end
			if a < n {
				off = spans[a].start
			}
			return outer(off, off)
		}
		return outer(spans[a].start, spans[b-1].end)
	}
}

// wordValue returns a word's value after quote removal, read from its source
// in text, when it has no expansions (ok is false otherwise). With offsets it
// also returns, for each byte of the value, the span of text it came from.
func wordValue(text string, x *syntax.Word, offsets bool) (string, []span, bool) {
	if len(x.Parts) == 1 && !offsets {
		// Fast path: a plain word without backslashes is its own value.
		if l, ok := x.Parts[0].(*syntax.Lit); ok {
			from, to := int(l.Pos().Offset()), int(l.End().Offset())
			if from <= to && to <= len(text) && !strings.ContainsRune(text[from:to], '\\') {
				return text[from:to], nil, true
			}
		}
	}
	var sb strings.Builder
	var spans []span
	emit := func(c byte, from, to int) {
		sb.WriteByte(c)
		if offsets {
			spans = append(spans, span{from, to})
		}
	}
	// copyLit decodes text[from:to]; in double quotes a backslash escapes only
	// $ ` " \ and newline, elsewhere any character. A backslash-newline is a
	// line continuation and disappears.
	copyLit := func(from, to int, dquoted bool) bool {
		if from > to || to > len(text) {
			return false
		}
		for p := from; p < to; p++ {
			c := text[p]
			if c == '\\' && p+1 < len(text) {
				next := text[p+1]
				switch {
				case next == '\n':
					p++
					continue
				case !dquoted || next == '$' || next == '`' || next == '"' || next == '\\':
					emit(next, p, p+2)
					p++
					continue
				}
			}
			emit(c, p, p+1)
		}
		return true
	}
	for _, part := range x.Parts {
		switch q := part.(type) {
		case *syntax.Lit:
			if !copyLit(int(q.Pos().Offset()), int(q.End().Offset()), false) {
				return "", nil, false
			}
		case *syntax.SglQuoted:
			from, to := int(q.Pos().Offset())+1, int(q.End().Offset())-1
			if q.Dollar {
				from++
			}
			if from > to || to > len(text) || (q.Dollar && strings.ContainsRune(text[from:to], '\\')) {
				return "", nil, false
			}
			for p := from; p < to; p++ {
				emit(text[p], p, p+1)
			}
		case *syntax.DblQuoted:
			for _, dp := range q.Parts {
				l, ok := dp.(*syntax.Lit)
				if !ok || !copyLit(int(l.Pos().Offset()), int(l.End().Offset()), true) {
					return "", nil, false
				}
			}
		default:
			return "", nil, false
		}
	}
	return sb.String(), spans, true
}

// skipPrefixes returns the index of the real command name after wrappers such
// as `sudo -E env DEBIAN_FRONTEND=noninteractive nice -n 10 apt-get`.
func skipPrefixes(words []Word) int {
	i := 0
	for i < len(words)-1 {
		name := path.Base(words[i].Value)
		var valued string // options that take a separate value
		switch name {
		case "sudo":
			valued = "ugCDhprtUT"
		case "env":
			valued = "uCS"
		case "nice":
			valued = "n"
		case "command":
			if next := words[i+1].Value; next == "-v" || next == "-V" {
				return i // a lookup, not a run
			}
		case "exec", "nohup", "time", "builtin", "stdbuf", "chrt", "ionice":
		case "timeout":
			valued = "sk"
		default:
			return i
		}
		i++
		for i < len(words)-1 {
			v := words[i].Value
			if strings.HasPrefix(v, "-") && len(v) > 1 {
				if len(v) == 2 && strings.ContainsRune(valued, rune(v[1])) {
					i++
				}
				i++
				continue
			}
			if name == "env" && strings.Contains(v, "=") {
				i++
				continue
			}
			if name == "timeout" && v != "" && v[0] >= '0' && v[0] <= '9' {
				i++ // the duration
			}
			break
		}
	}
	return i
}

func isPOSIXShell(name string) bool {
	switch name {
	case "sh", "bash", "dash", "ash", "ksh", "zsh", "mksh":
		return true
	}
	return false
}

// shellCommandArg finds the operand that a shell's -c option runs.
func shellCommandArg(args []Word) int {
	hasC := false
	for i, a := range args {
		v := a.Value
		switch {
		case v == "-o" || v == "+o" || v == "-O" || v == "+O":
			// next word is an option name; skip it via the loop below
		case strings.HasPrefix(v, "-") && len(v) > 1 && !strings.HasPrefix(v, "--"):
			if strings.ContainsRune(v[1:], 'c') {
				hasC = true
			}
			continue
		case strings.HasPrefix(v, "--"):
			continue
		}
		if v == "-o" || v == "+o" || v == "-O" || v == "+O" {
			continue
		}
		if i > 0 {
			if p := args[i-1].Value; p == "-o" || p == "+o" || p == "-O" || p == "+O" {
				continue
			}
		}
		if hasC {
			return i
		}
		return -1
	}
	return -1
}

package dockerfile

import (
	"path"
	"slices"
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
	// by `sh -c '...'`, `su -c '...'` and `bash <<EOF` flattened in at their
	// place.
	Calls []*Call
	// Assigns lists the shell variable assignments that are not a command's
	// prefix (NAME=value alone, export, readonly, declare, local), and
	// Heredocs the here-document bodies the commands read (cat <<EOF >
	// file), body text as written: the values a script holds besides its
	// commands' words, in source order.
	Assigns  []EnvVar
	Heredocs []Word

	env *scriptEnv // the ARG and ENV definitions the script starts with
}

// Call is one simple command, such as `apt-get install -y curl`.
type Call struct {
	// Name is the program's base name after wrappers (sudo, env, command,
	// exec, nohup, time, nice, timeout, xargs...: see Unwrap) are removed; ""
	// when the name is not a literal word.
	Name      string
	NameRange source.Range
	// Args are the words after the name.
	Args []Word
	// Range spans the whole command, prefixes included.
	Range source.Range
	// Conditional is true when the command runs only if an earlier one failed
	// (the right side of ||), sits in a branch of if, case, while or a
	// function body, or may run zero times (xargs -r): a rule cannot count on
	// it having run.
	Conditional bool
	// Env lists what the command line sets in the command's environment, in
	// order: prefix assignments (`NAME=value cmd`) and those of its wrappers
	// (`env NAME=value cmd`, `sudo NAME=value cmd`, `env -u NAME cmd`).
	Env []EnvVar
	// ClearEnv is set when a wrapper does not pass the shell's environment
	// on (`env -i`; sudo without -E, which keeps only what sudoers allows):
	// Env then lists only what the wrappers set afterwards, and a variable
	// of the RUN's environment (ENV, ARG, export) may not reach the command.
	ClearEnv bool
	// Dir is the working directory a wrapper gives the command (`env -C DIR`,
	// `sudo -D DIR`), nil when it runs where the shell is. A non-literal
	// empty Dir means somewhere unknown (`sudo -i`).
	Dir *Word
	// Wrappers are the base names of the wrappers taken off, outermost first.
	Wrappers []string
	// PipedTo is the first command of the pipeline element that reads this
	// command's standard output (`curl URL | sh`: the sh call); nil when the
	// output does not go into a pipe.
	PipedTo *Call

	scope *localScope // the script's own variables when the command runs
}

// EnvValue returns the last value the command line assigns to name in the
// command's environment (found false when it assigns none; an `env -u`
// counts as the empty value).
func (c *Call) EnvValue(name string) (Word, bool) {
	for i := len(c.Env) - 1; i >= 0; i-- {
		if c.Env[i].Name == name {
			return c.Env[i].Value, true
		}
	}
	return Word{}, false
}

// Word is a shell word. Value is the word after quote removal when Literal,
// otherwise the source text (with its $expansions); Resolve gives the value
// of a non-literal word when the variables it uses are known.
type Word struct {
	Value   string
	Literal bool
	Range   source.Range

	expr *wordExpr // nil for literal words and words made outside the parser
}

// Arg returns the i-th argument's value, "" when out of range.
func (c *Call) Arg(i int) string {
	if i < 0 || i >= len(c.Args) {
		return ""
	}
	return c.Args[i].Value
}

// Operands returns the arguments that are not options (do not start with
// '-'), in order. It does not know which options take values. When every
// argument is an operand (most calls) it returns Args itself, capped, with
// no allocation: callers read it, they do not write to it.
func (c *Call) Operands() []Word {
	n := 0
	for _, a := range c.Args {
		if isOperand(a) {
			n++
		}
	}
	switch n {
	case 0:
		return nil
	case len(c.Args):
		return c.Args[:n:n]
	}
	out := make([]Word, 0, n)
	for _, a := range c.Args {
		if isOperand(a) {
			out = append(out, a)
		}
	}
	return out
}

// HasOperands reports whether Operands would return any word.
func (c *Call) HasOperands() bool {
	return slices.ContainsFunc(c.Args, isOperand)
}

func isOperand(a Word) bool { return !strings.HasPrefix(a.Value, "-") || a.Value == "-" }

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
	// args maps an instruction's argument text while its script is parsed
	// (nothing keeps a script's mapper afterwards): one map reused, not
	// one allocated per instruction.
	args textMap
	// walkers are the call walkers, one per nesting depth: a nested
	// script is walked while its outer one is, and finished before the
	// next at its depth starts.
	walkers [maxShellDepth + 1]callWalker
}

// scriptParsers recycles shell parsers, which are large, across files.
var scriptParsers = sync.Pool{New: func() any {
	return &scriptParser{p: syntax.NewParser(syntax.Variant(syntax.LangBash))}
}}

func newScriptParser() *scriptParser { return scriptParsers.Get().(*scriptParser) }

func (sp *scriptParser) release() {
	sp.mem = nil
	sp.args = textMap{segs: sp.args.segs[:0]} // keep no file alive through the pool
	// A walk that panicked (the engine recovers a rule's or the front
	// end's panic) did not clear its walker.
	sp.walkers = [maxShellDepth + 1]callWalker{}
	scriptParsers.Put(sp)
}

// maxShellDepth bounds `sh -c "sh -c '...'"` recursion.
const maxShellDepth = 4

func (sp *scriptParser) parse(text string, m mapper) *Script {
	var s *Script
	if sp.mem != nil {
		s = &sp.mem.scripts.take(1)[0] // reserved in buildInstructions
		s.Text = text
	} else {
		s = &Script{Text: text}
	}
	sp.collect(s, text, m, false, 0, nil)
	return s
}

// collect parses text and appends its calls to s; scope is the shell
// variables the script starts with (beyond the RUN's environment).
func (sp *scriptParser) collect(s *Script, text string, m mapper, cond bool, depth int, scope *localScope) {
	f, err := sp.p.Parse(strings.NewReader(text), "")
	if err != nil {
		if depth == 0 {
			s.Err = err
		}
		return
	}
	if depth == 0 {
		sp.reserveCalls(f)
	}
	w := &sp.walkers[depth]
	*w = callWalker{sp: sp, s: s, text: text, m: m, depth: depth, scope: scope}
	w.stmts(f.Stmts, cond)
	*w = callWalker{} // keep no script alive through the pool
}

// reserveCalls makes the Calls of a parsed top-level script and their
// word lists come from one block each, counted first: two allocations per
// script instead of two per command. A nested script (sh -c '...') is
// parsed while its outer script is walked: its calls take the reserved
// slots first, and the outer script's calls that no longer fit are then
// allocated one by one. A count that differs from the walk costs
// allocations, never output (TestCallCountMatchesWalk keeps them equal).
func (sp *scriptParser) reserveCalls(f *syntax.File) {
	var n callCount
	n.stmts(f.Stmts)
	sp.mem.calls.reserve(n.calls)
	sp.mem.words.reserve(n.words)
}

// callCount counts the simple commands that callWalker records and their
// words: it visits the statements that callWalker.cmd visits, and no more
// (syntax.Walk would count commands in $(...) too, and its deep recursion
// on a long && chain cost more than the walk itself).
type callCount struct{ calls, words int }

func (n *callCount) stmts(lists ...[]*syntax.Stmt) {
	for _, list := range lists {
		for _, st := range list {
			n.stmt(st)
		}
	}
}

func (n *callCount) stmt(st *syntax.Stmt) {
	if st == nil {
		return
	}
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		if len(c.Args) > 0 {
			n.calls++
			n.words += len(c.Args)
		}
	case *syntax.BinaryCmd:
		n.stmt(c.X)
		n.stmt(c.Y)
	case *syntax.Subshell:
		n.stmts(c.Stmts)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			n.stmts(ic.Cond, ic.Then)
		}
	case *syntax.Block:
		n.stmts(c.Stmts)
	case *syntax.CaseClause:
		for _, item := range c.Items {
			n.stmts(item.Stmts)
		}
	case *syntax.WhileClause:
		n.stmts(c.Cond, c.Do)
	case *syntax.ForClause:
		n.stmts(c.Do)
	case *syntax.FuncDecl, *syntax.TimeClause, *syntax.CoprocClause:
		n.stmt(innerStmt(c))
	}
}

// innerStmt is the one statement that a function, time or coproc runs.
func innerStmt(c syntax.Command) *syntax.Stmt {
	switch c := c.(type) {
	case *syntax.FuncDecl:
		return c.Body
	case *syntax.TimeClause:
		return c.Stmt
	case *syntax.CoprocClause:
		return c.Stmt
	}
	return nil
}

type callWalker struct {
	sp    *scriptParser
	s     *Script
	text  string
	m     mapper
	depth int
	// scope is the script's own variables at the statement being walked.
	scope *localScope
}

func (w *callWalker) newExpr(e wordExpr) *wordExpr {
	x := w.sp.mem.exprs.one()
	*x = e
	return x
}

func (w *callWalker) stmts(list []*syntax.Stmt, cond bool) {
	for _, st := range list {
		w.stmt(st, cond)
	}
}

// isolated walks part of the script that runs in a subshell: its variable
// changes do not reach the statements after it.
func (w *callWalker) isolated(fn func()) {
	saved := w.scope
	fn()
	w.scope = saved
}

func (w *callWalker) stmt(st *syntax.Stmt, cond bool) {
	if st == nil {
		return
	}
	for _, r := range st.Redirs {
		if r.Hdoc != nil {
			from, to := min(int(r.Hdoc.Pos().Offset()), len(w.text)), min(int(r.Hdoc.End().Offset()), len(w.text))
			to = heredocBodyEnd(w.text, from, to, r.Word)
			w.s.Heredocs = append(w.s.Heredocs, Word{Value: w.text[from:to], Range: w.m(from, to)})
		}
	}
	if st.Background || st.Coprocess {
		w.isolated(func() { w.cmd(st, cond) })
		return
	}
	w.cmd(st, cond)
}

func (w *callWalker) cmd(st *syntax.Stmt, cond bool) {
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		w.call(c, st, cond)
	case *syntax.DeclClause:
		w.decl(c, cond)
	case *syntax.BinaryCmd:
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			from := len(w.s.Calls)
			w.isolated(func() { w.stmt(c.X, cond) })
			to := len(w.s.Calls)
			w.isolated(func() { w.stmt(c.Y, cond) })
			if to < len(w.s.Calls) {
				for _, x := range w.s.Calls[from:to] {
					if x.PipedTo == nil {
						x.PipedTo = w.s.Calls[to]
					}
				}
			}
			return
		}
		w.stmt(c.X, cond)
		w.stmt(c.Y, cond || c.Op == syntax.OrStmt)
	case *syntax.Subshell:
		w.isolated(func() { w.stmts(c.Stmts, cond) })
	case *syntax.Block:
		w.stmts(c.Stmts, cond)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			w.stmts(ic.Cond, cond || ic != c)
			w.stmts(ic.Then, true)
		}
	case *syntax.WhileClause:
		w.forgetAssigned(c)
		w.stmts(c.Cond, cond)
		w.stmts(c.Do, true)
	case *syntax.ForClause:
		w.forgetAssigned(c)
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
		w.isolated(func() { w.stmt(c.Stmt, true) })
	case *syntax.ArithmCmd, *syntax.LetClause:
		w.scope = w.scope.push(&localScope{kind: localOpaque})
	}
}

// forgetAssigned marks the variables a loop changes as unknown before its
// body is walked: a later iteration sees the changed value.
func (w *callWalker) forgetAssigned(loop syntax.Node) {
	opaque := false
	syntax.Walk(loop, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.Assign:
			if x.Name != nil {
				w.scope = w.scope.push(&localScope{kind: localUnknown, name: x.Name.Value})
			}
		case *syntax.WordIter:
			if x.Name != nil {
				w.scope = w.scope.push(&localScope{kind: localUnknown, name: x.Name.Value})
			}
		case *syntax.CallExpr:
			// read, unset, eval...: not worth telling apart in a loop.
			if len(x.Args) > 0 {
				name, _, ok := wordValue(w.text, x.Args[0], false)
				opaque = !ok || changesVars(path.Base(name))
				if name == "printf" && len(x.Args) > 1 {
					opt, _, _ := wordValue(w.text, x.Args[1], false)
					opaque = opt == "-v"
				}
			}
		case *syntax.ParamExp:
			opaque = x.Exp != nil && (x.Exp.Op == syntax.AssignUnset || x.Exp.Op == syntax.AssignUnsetOrNull)
		case *syntax.ArithmCmd, *syntax.ArithmExp, *syntax.LetClause:
			opaque = true
		}
		return !opaque
	})
	if opaque {
		w.scope = w.scope.push(&localScope{kind: localOpaque})
	}
}

// assign records NAME=value in the script's variables. An assignment that
// may not run, of an array or an element, or appending, makes NAME unknown.
func (w *callWalker) assign(a *syntax.Assign, cond, export bool) {
	if a.Name == nil {
		return
	}
	w.recordAssign(a)
	e := &localScope{name: a.Name.Value, export: export, text: w.text, at: w.scope, value: a.Value}
	switch {
	case cond || a.Append || a.Index != nil || a.Array != nil:
		e.kind = localUnknown
	case a.Naked && export:
		e.kind = localExport
	case a.Naked:
		return // `declare NAME` alone changes no value
	}
	w.scope = w.scope.push(e)
}

// decl handles export, readonly, declare, local and typeset.
func (w *callWalker) decl(c *syntax.DeclClause, cond bool) {
	export := c.Variant.Value == "export"
	flags := false
	for _, a := range c.Args {
		if a.Name == nil {
			flags = true // an option such as -n, -a, -i: not followed
		}
	}
	for _, a := range c.Args {
		switch {
		case a.Name == nil:
		case flags || (c.Variant.Value != "export" && c.Variant.Value != "readonly"):
			w.recordAssign(a)
			if !a.Naked || flags {
				w.scope = w.scope.push(&localScope{kind: localUnknown, name: a.Name.Value})
			}
		default:
			w.assign(a, cond, export)
		}
	}
}

// heredocBodyEnd returns where a here-document body text[from:to] ends
// without its terminator line (the parser's range may hold it; it is not
// part of the body). delim is the redirection's word.
func heredocBodyEnd(text string, from, to int, delim *syntax.Word) int {
	if d, _, ok := wordValue(text, delim, false); ok && from < to {
		body := strings.TrimRight(text[from:to], "\n")
		if i := strings.LastIndexByte(body, '\n'); strings.TrimLeft(body[i+1:], "\t") == d {
			return from + max(i, 0)
		}
	}
	return to
}

// recordAssign adds an assignment with a value to Script.Assigns.
func (w *callWalker) recordAssign(a *syntax.Assign) {
	if a.Name != nil && a.Value != nil {
		w.s.Assigns = append(w.s.Assigns, EnvVar{Name: a.Name.Value, Value: w.word(a.Value)})
	}
}

func (w *callWalker) word(x *syntax.Word) Word {
	from, to := int(x.Pos().Offset()), int(x.End().Offset())
	from, to = min(from, len(w.text)), min(to, len(w.text))
	v, _, ok := wordValue(w.text, x, false)
	out := Word{Value: v, Literal: ok, Range: w.m(from, to)}
	if !ok {
		out.Value = w.text[from:to]
		out.expr = w.newExpr(wordExpr{text: w.text, w: x, scope: w.scope})
	}
	return out
}

func (w *callWalker) call(c *syntax.CallExpr, st *syntax.Stmt, cond bool) {
	if len(c.Args) == 0 {
		for _, a := range c.Assigns {
			w.assign(a, cond, false) // NAME=value alone sets a shell variable
		}
		return
	}
	words := w.sp.mem.words.take(len(c.Args))
	for i, a := range c.Args {
		words[i] = w.word(a)
	}
	u := Unwrap(words)
	start := min(u.Start, len(words)-1)
	call := &w.sp.mem.calls.take(1)[0]
	*call = Call{
		Args:        words[start+1:],
		NameRange:   words[start].Range,
		Range:       source.Span(words[0].Range, words[len(words)-1].Range),
		Conditional: cond || u.MayNotRun,
		ClearEnv:    u.ClearEnv,
		Dir:         u.Dir,
		Wrappers:    u.Wrappers,
		scope:       w.scope,
	}
	if len(c.Assigns) > 0 {
		call.Range = source.Span(w.m(int(c.Assigns[0].Pos().Offset()), int(c.Assigns[0].End().Offset())), call.Range)
	}
	if !u.ClearEnv {
		for _, a := range c.Assigns {
			if a.Name == nil || a.Array != nil || a.Index != nil {
				continue
			}
			val := Word{Literal: true, Range: w.m(int(a.End().Offset()), int(a.End().Offset()))}
			if a.Value != nil {
				val = w.word(a.Value)
			}
			call.Env = append(call.Env, EnvVar{Name: a.Name.Value, Value: val})
		}
	}
	call.Env = append(call.Env, u.Env...)
	if u.Placeholder != "" {
		// xargs -I R: the words holding R take their value from the input.
		for i, a := range call.Args {
			if strings.Contains(a.Value, u.Placeholder) {
				call.Args[i] = Word{Value: a.Value, Range: a.Range}
			}
		}
	}
	if words[start].Literal {
		call.Name = path.Base(words[start].Value)
	}
	w.s.Calls = append(w.s.Calls, call)
	w.afterCall(call, c, cond)
	if w.depth >= maxShellDepth {
		return
	}
	// The commands of a nested shell run where it runs: in the wrapper's
	// directory (env -C DIR sh -c ...), or the user's home for a login shell.
	first := len(w.s.Calls)
	defer func() {
		dir := call.Dir
		if dir == nil && suLogin(call) {
			dir = &Word{Range: call.Range}
		}
		for _, inner := range w.s.Calls[first:] {
			if dir != nil && inner.Dir == nil {
				inner.Dir = dir
			}
		}
	}()
	// sh -c 'script', su -c 'script': the script is the value of the -c option.
	if i := scriptArg(call); i >= 0 {
		arg := c.Args[start+1+i]
		if inner, spans, ok := wordValue(w.text, arg, true); ok {
			w.sp.collect(w.s, inner, spanMapper(w.m, spans), cond, w.depth+1, w.nestedScope(call))
		}
		return
	}
	if !isPOSIXShell(call.Name) {
		return
	}
	// bash <<EOF ... EOF: the heredoc is the script on standard input.
	if !call.HasOperands() {
		for _, r := range st.Redirs {
			if (r.Op == syntax.Hdoc || r.Op == syntax.DashHdoc) && r.Hdoc != nil {
				from, to := int(r.Hdoc.Pos().Offset()), int(r.Hdoc.End().Offset())
				to = min(to, len(w.text))
				to = heredocBodyEnd(w.text, from, to, r.Word)
				if from < to {
					outer := w.m
					w.sp.collect(w.s, w.text[from:to], func(a, b int) source.Range {
						return outer(from+a, from+b)
					}, cond, w.depth+1, w.nestedScope(call))
				}
			}
		}
	}
}

// nestedScope is what a shell started by call sees of the script's
// variables: the exported ones, and what the command line sets.
func (w *callWalker) nestedScope(call *Call) *localScope {
	var s *localScope
	if call.ClearEnv || suLogin(call) {
		// Only what the command line sets is known.
		s = w.scope.push(&localScope{kind: localOpaque})
	} else {
		s = w.scope.push(&localScope{kind: localShell})
	}
	for _, e := range call.Env {
		entry := &localScope{name: e.Name, export: true, kind: localUnknown}
		switch {
		case e.Unset:
			entry.kind = localUnset
		case e.Value.Literal:
			entry.kind, entry.lit = localLiteral, e.Value.Value
		case e.Value.expr != nil && e.Value.expr.strip == 0:
			entry.kind = localAssign
			entry.text, entry.value, entry.at = e.Value.expr.text, e.Value.expr.w, e.Value.expr.scope
		}
		s = s.push(entry)
	}
	return s
}

// suLogin reports whether a call is `su -`, `su -l` or `su --login`: a
// login shell starts with a fresh environment.
func suLogin(c *Call) bool {
	if c.Name != "su" {
		return false
	}
	for _, a := range c.Args {
		if v := a.Value; v == "-" || v == "-l" || v == "--login" || strings.HasPrefix(v, "-") && !strings.HasPrefix(v, "--") && strings.ContainsRune(v, 'l') {
			return true
		}
	}
	return false
}

// afterCall records what a command changes in the script's variables.
func (w *callWalker) afterCall(call *Call, c *syntax.CallExpr, cond bool) {
	// ${NAME:=value} in any word assigns NAME.
	for _, a := range c.Args {
		from, to := min(int(a.Pos().Offset()), len(w.text)), min(int(a.End().Offset()), len(w.text))
		if from > to || !strings.Contains(w.text[from:to], "=") {
			continue // no assignment in this word (and no walk: it allocates)
		}
		syntax.Walk(a, func(n syntax.Node) bool {
			if p, ok := n.(*syntax.ParamExp); ok && p.Param != nil && p.Exp != nil &&
				(p.Exp.Op == syntax.AssignUnset || p.Exp.Op == syntax.AssignUnsetOrNull) {
				w.scope = w.scope.push(&localScope{kind: localUnknown, name: p.Param.Value})
			}
			return true
		})
	}
	if len(call.Wrappers) > 0 {
		return // a wrapped command runs in a new process: it changes no shell variable
	}
	switch call.Name {
	case "printf":
		if call.HasOption("v") {
			w.scope = w.scope.push(&localScope{kind: localOpaque})
		}
	case "unset":
		if call.HasOption("f") {
			return
		}
		for _, a := range call.Operands() {
			kind := localUnset
			if cond || !a.Literal {
				kind = localUnknown
			}
			if !a.Literal {
				w.scope = w.scope.push(&localScope{kind: localOpaque})
				continue
			}
			w.scope = w.scope.push(&localScope{kind: kind, name: a.Value})
		}
	default:
		if changesVars(call.Name) {
			w.scope = w.scope.push(&localScope{kind: localOpaque})
		}
	}
}

// changesVars reports a command that may set shell variables in ways not
// followed: after it every variable is unknown. (export and friends are
// declarations, followed in decl, unless written through a wrapper or
// quoted.)
func changesVars(command string) bool {
	switch command {
	case "eval", ".", "source", "read", "mapfile", "readarray",
		"getopts", "let", "declare", "typeset", "local",
		"export", "readonly", "unset":
		return true
	}
	return false
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
	copyLit := func(from, to int, dquoted bool) bool {
		return unescapeLit(text, from, to, dquoted, emit)
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

// scriptArg finds the argument of a call that is a shell script to run:
// the operand of a shell's -c option, or su's -c/--command value. It returns
// -1 when there is none.
func scriptArg(c *Call) int {
	if isPOSIXShell(c.Name) {
		return shellCommandArg(c.Args)
	}
	if c.Name != "su" {
		return -1
	}
	for i := 0; i < len(c.Args); i++ {
		switch v := c.Args[i].Value; {
		case !c.Args[i].Literal || v == "--":
			return -1
		case v == "-c" || v == "--command":
			if i+1 < len(c.Args) {
				return i + 1
			}
			return -1
		case v == "-g" || v == "-G" || v == "-s" || v == "-w" || v == "--group" || v == "--supp-group" ||
			v == "--shell" || v == "--whitelist-environment":
			i++
		}
	}
	return -1
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

// unescapeLit decodes the literal shell text[from:to], calling emit with each
// byte of its value and the source bytes it came from: in double quotes a
// backslash escapes only $ ` " \ and newline, elsewhere any character; a
// backslash-newline is a line continuation and disappears. It reports false
// for a range outside text.
func unescapeLit(text string, from, to int, dquoted bool, emit func(c byte, from, to int)) bool {
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

package dockerfile

import (
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"mvdan.cc/sh/v3/syntax"
)

// This file answers "what value does a word of a RUN script have?". A RUN's
// shell starts with the stage's ARG and ENV values in its environment (and
// those of the stages it is built FROM, and the base image's config Env),
// then the script sets its own variables. A word's value is known only when
// every variable it uses is; anything else is unknown, never guessed.

// wordExpr is what a non-literal word needs to compute its value.
type wordExpr struct {
	text  string       // the script the word is written in
	w     *syntax.Word // the word in that script
	scope *localScope  // the script's own variables where the word is expanded
	strip int          // bytes of the value to drop (the NAME= of env NAME=value)
}

// afterPrefix is the word without its first n bytes (the value of NAME=value).
func (w Word) afterPrefix(n int) Word {
	out := w
	out.Value = w.Value[min(n, len(w.Value)):]
	if w.expr != nil {
		e := *w.expr
		e.strip += n
		out.expr = &e
	}
	return out
}

// Resolve returns the word's value with the variables in scope substituted,
// as the shell would expand it: quotes removed, $NAME, ${NAME} and
// ${NAME:-default}/${NAME-default}/${NAME:+alt}/${NAME+alt} expanded. ok is
// false when the value is not known: a variable without a known value, a
// command substitution, an unquoted expansion the shell would split into
// several words... A literal word is its own value. vars comes from the
// word's instruction (Instruction.ScriptVars); with nil vars only the
// script's own assignments are known.
func (w Word) Resolve(vars *Vars) (string, bool) {
	if w.Literal {
		return w.Value, true
	}
	if w.expr == nil {
		return "", false
	}
	if vars == nil {
		vars = &Vars{}
	}
	v, ok := vars.word(w.expr.text, w.expr.w, w.expr.scope)
	if !ok || len(v) < w.expr.strip {
		return "", false
	}
	return v[w.expr.strip:], true
}

// varState is what is known about a variable.
type varState uint8

const (
	varUnknown varState = iota
	varSet
	varUnset
)

type varValue struct {
	val   string
	state varState
}

// localScope is the script's own variables at a point of the script: a
// chain of changes, newest first.
type localScope struct {
	parent *localScope
	kind   localKind
	name   string
	value  *syntax.Word // localAssign: the assigned word (nil: empty)
	lit    string       // localLiteral: the value
	text   string       // the script value is written in
	at     *localScope  // the scope value is expanded in
	export bool         // the variable is exported (visible to nested shells)
	depth  int
}

type localKind uint8

const (
	localAssign  localKind = iota // NAME=value
	localLiteral                  // NAME=value with a value known when parsing
	localUnknown                  // NAME changes in a way not followed (read, a branch, a loop)
	localUnset                    // unset NAME
	localExport                   // export NAME: the value it had, now exported
	localOpaque                   // every variable is unknown from here (eval, source)
	localShell                    // a nested shell starts: only exported variables pass
)

// maxLocalDepth bounds the chain a lookup walks.
const maxLocalDepth = 256

func (s *localScope) push(e *localScope) *localScope {
	e.parent = s
	if s != nil {
		e.depth = s.depth + 1
	}
	if e.depth > maxLocalDepth {
		return &localScope{parent: s, kind: localOpaque, depth: e.depth}
	}
	return e
}

// runtimeVar reports a variable set by the shell or the container runtime,
// not by the image config: without an ARG or ENV its value is not known.
func runtimeVar(name string) bool {
	switch name {
	case "HOME", "PATH", "HOSTNAME", "PWD", "OLDPWD", "SHLVL",
		"IFS", "PS1", "PS2", "PS4", "OPTIND", "OPTARG", "PPID",
		"UID", "EUID", "USER", "LOGNAME", "SHELL", "TERM",
		"RANDOM", "LINENO", "SECONDS", "BASH", "BASH_VERSION",
		"BASHPID", "HOSTTYPE", "MACHTYPE", "OSTYPE", "GROUPS", "_":
		return true
	}
	return false
}

// varDef is one ARG or ENV variable definition of the stage chain, newest
// first.
type varDef struct {
	prev *varDef
	name string
	// An ENV value is expanded lazily (raw), in the scope before its
	// instruction (scope), because it may use the base image's variables.
	lazy  bool
	raw   string
	scope *varDef
	// An ARG value is known from the front end's scope (val), or unknown.
	val   string
	known bool
}

// scriptEnv is what a RUN's script starts with, fixed when the file is parsed.
type scriptEnv struct {
	top     *varDef
	scratch bool // the stage chain starts FROM scratch: no base image variables
	escape  rune
}

// Vars resolves the variables of one RUN's script. It caches what it
// computed: use one per instruction and base image.
type Vars struct {
	env  *scriptEnv
	base func(name string) (string, bool)
	defs map[*varDef]varValue
	locs map[*localScope]varValue
}

// ScriptVars returns the variables a RUN's script starts with: the ARG and
// ENV values in scope at the instruction, then the base image's. base looks
// up the base image's config Env (ok false: the image does not set it); pass
// nil when the base image is not known, and variables that the Dockerfile
// does not set stay unknown (unless the stage chain starts FROM scratch).
// Base-image facts come from the caller: the front end does no I/O.
func (in *Instruction) ScriptVars(base func(name string) (string, bool)) *Vars {
	v := &Vars{base: base}
	if in != nil && in.Script != nil {
		v.env = in.Script.env
	}
	return v
}

// EnvLookup makes a lookup function from a config's KEY=value list.
func EnvLookup(env []string) func(string) (string, bool) {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// lookupDef finds a variable in the Dockerfile's definitions from d on, then
// in the base image.
func (v *Vars) lookupDef(name string, d *varDef) varValue {
	for ; d != nil; d = d.prev {
		if d.name == name {
			return v.defValue(d)
		}
	}
	if v.env == nil || runtimeVar(name) {
		return varValue{}
	}
	switch {
	case v.env.scratch:
		return varValue{state: varUnset}
	case v.base != nil:
		if val, ok := v.base(name); ok {
			return varValue{val: val, state: varSet}
		}
		return varValue{state: varUnset}
	}
	return varValue{}
}

func (v *Vars) defValue(d *varDef) varValue {
	if r, ok := v.defs[d]; ok {
		return r
	}
	if v.defs == nil {
		v.defs = map[*varDef]varValue{}
	}
	v.defs[d] = varValue{} // a cycle cannot happen, but stay safe
	r := varValue{}
	switch {
	case !d.lazy:
		if d.known {
			r = varValue{val: d.val, state: varSet}
		}
	default:
		g := &defGetter{v: v, at: d.scope}
		// A new lexer: one keeps its state while it expands, and g may
		// expand another definition with its own.
		lex := GetLex(v.env.escape)
		res, err := lex.ProcessWordWithMatches(LexerInput(d.raw), g)
		PutLex(v.env.escape, lex)
		if err == nil && !g.unknown && len(res.Result) <= maxEnvValue {
			r = varValue{val: res.Result, state: varSet}
		}
	}
	v.defs[d] = r
	return r
}

// defGetter lets BuildKit's word expansion read the definitions before an
// ENV instruction; unknown records that it asked for an unknown variable.
type defGetter struct {
	v       *Vars
	at      *varDef
	unknown bool
}

func (g *defGetter) Get(k string) (string, bool) {
	r := g.v.lookupDef(k, g.at)
	if r.state == varUnknown {
		g.unknown = true
	}
	return r.val, r.state == varSet
}

func (g *defGetter) Keys() []string { return nil }

// lookup finds a variable as the script sees it at scope s.
func (v *Vars) lookup(name string, s *localScope) varValue {
	nested := false
	for ; s != nil; s = s.parent {
		switch s.kind {
		case localOpaque:
			return varValue{}
		case localShell:
			nested = true
			continue
		}
		if s.name != name {
			continue
		}
		if nested && !s.export {
			return varValue{}
		}
		switch s.kind {
		case localUnknown:
			return varValue{}
		case localUnset:
			return varValue{state: varUnset}
		case localExport:
			return v.lookup(name, s.parent)
		case localLiteral:
			return varValue{val: s.lit, state: varSet}
		}
		return v.localValue(s)
	}
	var top *varDef
	if v.env != nil {
		top = v.env.top
	} else {
		return varValue{}
	}
	return v.lookupDef(name, top)
}

func (v *Vars) localValue(s *localScope) varValue {
	if r, ok := v.locs[s]; ok {
		return r
	}
	if v.locs == nil {
		v.locs = map[*localScope]varValue{}
	}
	r := varValue{state: varSet}
	if s.value != nil {
		// An assignment's value is not split into words.
		val, ok := v.expand(s.text, s.value, s.at, true)
		if !ok || len(val) > maxEnvValue {
			r = varValue{}
		} else {
			r.val = val
		}
	}
	v.locs[s] = r
	return r
}

// word expands a command word.
func (v *Vars) word(text string, w *syntax.Word, s *localScope) (string, bool) {
	return v.expand(text, w, s, false)
}

// expand computes a word's value. noSplit is set where the shell does not
// split the result into fields (inside double quotes, assignment values).
func (v *Vars) expand(text string, w *syntax.Word, s *localScope, noSplit bool) (string, bool) {
	var sb strings.Builder
	if !v.parts(&sb, text, w.Parts, s, noSplit, false) || sb.Len() > maxEnvValue {
		return "", false
	}
	return sb.String(), true
}

func (v *Vars) parts(sb *strings.Builder, text string, parts []syntax.WordPart, s *localScope, noSplit, dquoted bool) bool {
	for _, part := range parts {
		switch p := part.(type) {
		case *syntax.Lit:
			val, ok := decodeLit(text, int(p.Pos().Offset()), int(p.End().Offset()), dquoted)
			if !ok {
				return false
			}
			sb.WriteString(val)
		case *syntax.SglQuoted:
			from, to := int(p.Pos().Offset())+1, int(p.End().Offset())-1
			if p.Dollar {
				from++
			}
			if from > to || to > len(text) || (p.Dollar && strings.ContainsRune(text[from:to], '\\')) {
				return false
			}
			sb.WriteString(text[from:to])
		case *syntax.DblQuoted:
			if p.Dollar || !v.parts(sb, text, p.Parts, s, true, true) {
				return false
			}
		case *syntax.ParamExp:
			val, ok := v.param(text, p, s, noSplit || dquoted)
			if !ok {
				return false
			}
			sb.WriteString(val)
		default:
			return false // command and arithmetic substitution, globs, braces...
		}
		if sb.Len() > maxEnvValue {
			return false
		}
	}
	return true
}

// param expands $NAME, ${NAME} and the default and alternative forms.
func (v *Vars) param(text string, p *syntax.ParamExp, s *localScope, quoted bool) (string, bool) {
	if p.Param == nil || p.Flags != nil || p.Excl || p.Length || p.Width || p.IsSet || p.NestedParam != nil ||
		p.Index != nil || len(p.Modifiers) > 0 || p.Slice != nil || p.Repl != nil || p.Names != 0 ||
		!isVarName(p.Param.Value) {
		return "", false
	}
	r := v.lookup(p.Param.Value, s)
	if r.state == varUnknown {
		return "", false
	}
	val := r.val
	if p.Exp != nil {
		useWord := false
		switch p.Exp.Op {
		case syntax.DefaultUnset:
			useWord = r.state == varUnset
		case syntax.DefaultUnsetOrNull:
			useWord = r.state == varUnset || r.val == ""
		case syntax.AlternateUnset:
			useWord, val = r.state == varSet, ""
		case syntax.AlternateUnsetOrNull:
			useWord, val = r.state == varSet && r.val != "", ""
		default:
			return "", false
		}
		if useWord {
			val = ""
			if p.Exp.Word != nil {
				var sb strings.Builder
				if !v.parts(&sb, text, p.Exp.Word.Parts, s, quoted, quoted) {
					return "", false
				}
				val = sb.String()
			}
		}
	}
	if !quoted && val != "" && (strings.ContainsAny(val, " \t\n") || v.lookup("IFS", s).state != varUnknown) {
		return "", false // field splitting would make several words (or split on a custom IFS)
	}
	return val, true
}

// decodeLit decodes a literal part text[from:to] (see unescapeLit).
func decodeLit(text string, from, to int, dquoted bool) (string, bool) {
	if from > to || to > len(text) {
		return "", false
	}
	lit := text[from:to]
	if !strings.ContainsRune(lit, '\\') {
		return lit, true
	}
	var sb strings.Builder
	unescapeLit(text, from, to, dquoted, func(c byte, _, _ int) { sb.WriteByte(c) })
	return sb.String(), true
}

// defsAfter returns the definitions in scope after in, given those before
// it (top). It reads the ARG values the front end's scopes decided (build
// args, defaults, the global scope) and keeps ENV values to expand lazily.
func defsAfter(in *Instruction, top *varDef) *varDef {
	switch c := in.Command.(type) {
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			val, ok := in.env.Get(kv.Key)
			if kv.Value == nil && !ok {
				continue // declared without a value: the scope is unchanged
			}
			d := &varDef{prev: top, name: kv.Key, val: val, known: ok}
			if kv.Value != nil && ok && val == *kv.Value && strings.ContainsAny(val, `"'\`) {
				// The scope kept the default as written, quotes and all:
				// expand it as BuildKit does.
				d.lazy, d.raw, d.scope = true, val, top
			} else if kv.Value != nil && strings.ContainsRune(*kv.Value, '$') {
				if _, unresolved := in.env.expand(*kv.Value); len(unresolved) > 0 {
					d.known = false // the default uses a variable the Dockerfile does not set
				}
			}
			top = d
		}
	case *instructions.EnvCommand:
		// Every value of one ENV expands in the scope before it, as BuildKit does.
		before := top
		for _, kv := range c.Env {
			top = &varDef{prev: top, name: kv.Key, lazy: true, raw: kv.Value, scope: before}
		}
	}
	return top
}

// rootIsScratch reports whether a stage's FROM chain starts FROM scratch.
func rootIsScratch(s *Stage) bool {
	for i := 0; s != nil && s.Parent != nil && i < 1000; i++ {
		s = s.Parent
	}
	return s != nil && s.Base != nil && s.Base.Scratch
}

// ExpandWith expands the variables of a word of the instruction as BuildKit
// does (quotes removed, ${NAME:-default}...), with the ARG and ENV values in
// scope at it and, for names the Dockerfile does not set, base (the base
// image's config Env; nil when not known). ok is false when a variable's
// value is not known: unlike Expand, which reads an unknown variable as
// empty, it never guesses.
func (in *Instruction) ExpandWith(word string, base func(name string) (string, bool)) (string, bool) {
	if in == nil || in.Stage == nil {
		return "", false
	}
	var chain []*Stage
	for s := in.Stage; s != nil && len(chain) <= len(in.Stage.Instructions)+1000; s = s.Parent {
		chain = append(chain, s)
	}
	var top *varDef
	for k := len(chain) - 1; k >= 0; k-- {
		for _, i := range chain[k].Instructions {
			if i == in {
				break
			}
			top = defsAfter(i, top)
		}
	}
	escape := '\\'
	if in.env != nil {
		escape = rune(in.env.esc)
	}
	v := &Vars{env: &scriptEnv{top: top, scratch: rootIsScratch(in.Stage), escape: escape}, base: base}
	g := &defGetter{v: v, at: top}
	lex := GetLex(escape)
	res, err := lex.ProcessWordWithMatches(LexerInput(word), g)
	PutLex(escape, lex)
	if err != nil || g.unknown || len(res.Result) > maxEnvValue {
		return "", false
	}
	return res.Result, true
}

// CommandEnv answers "what is NAME in the environment of call c's
// command?", where c is a call of the instruction v was made for: what the
// command line sets (`NAME=v cmd`, `env NAME=v cmd`, `env -u NAME cmd`),
// else, unless a wrapper dropped the environment (env -i, sudo without -E),
// what the script exported before it (`export NAME=v`, or an assignment to a
// variable the RUN's environment already has), else the RUN's ARG and ENV
// values and the base image's Env. set is false when the variable is not in
// the command's environment; known is false when that cannot be told (then
// value and set mean nothing).
func (v *Vars) CommandEnv(c *Call, name string) (value string, set, known bool) {
	if w, ok := c.EnvValue(name); ok {
		for i := len(c.Env) - 1; i >= 0; i-- {
			if c.Env[i].Name == name && c.Env[i].Unset {
				return "", false, true
			}
			if c.Env[i].Name == name {
				break
			}
		}
		val, ok := w.Resolve(v)
		return val, ok, ok
	}
	if c.ClearEnv {
		return "", false, false // env -i: not set; sudo: whatever sudoers keeps
	}
	r := v.exported(name, c.scope)
	return r.val, r.state == varSet, r.state != varUnknown
}

// exported is lookup for the environment of a command: a variable the
// script set without exporting reaches it only if the RUN's environment
// already had it (the shell then exports it).
func (v *Vars) exported(name string, s *localScope) varValue {
	for e := s; e != nil; e = e.parent {
		if e.kind == localOpaque {
			return varValue{}
		}
		if e.kind == localShell || e.name != name {
			continue
		}
		if e.export || e.kind == localUnset || e.kind == localUnknown {
			return v.lookup(name, s)
		}
		// Not exported: only if the RUN's environment has the name.
		switch outer := v.lookup(name, nil); outer.state {
		case varUnknown:
			return varValue{}
		case varUnset:
			return varValue{state: varUnset}
		}
		return v.lookup(name, s)
	}
	return v.lookup(name, s)
}

package dockerfile

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockvet/dockvet/internal/source"
)

// env is an immutable snapshot of the variables in scope at an instruction.
// The snapshots of one scope (a stage, or the global scope) share a store
// that keeps every value each variable had, by version, so that taking a
// snapshot after each ARG or ENV costs O(1) instead of a copy of the scope.
// A stage built FROM another starts from that stage's last snapshot.
type env struct {
	store *envStore
	ver   int         // the store's entries up to this version are visible
	base  *env        // the scope this one started from, nil for none
	fixed [][2]string // instead of store: a scope of fixed values, name and value
	// esc is the escape character; the lexer for it comes from the pool
	// at each expansion, not one kept per file.
	esc byte
}

// envStore holds the history of a linear sequence of snapshots.
type envStore struct {
	hist map[string][]envEntry
	last int // the latest version
}

type envEntry struct {
	ver     int
	val     string
	unknown bool // the value was too long to keep: see maxEnvValue
}

// maxEnvValue caps the length of a variable's value. Without a cap a file
// that repeats `ENV PATH=/x:$PATH` makes every expansion longer than the last,
// and the work grows with the square of the file size. A longer value is
// forgotten: the variable counts as unresolved, as if set by a build arg we
// do not know. No real image reference, user or path comes near this.
const maxEnvValue = 4 << 10

// newEnv returns an empty scope on top of base (which may be nil).
func newEnv(base *env, esc byte) *env {
	return &env{store: &envStore{}, base: base, esc: esc}
}

func (e *env) Get(k string) (string, bool) {
	for ; e != nil; e = e.base {
		if e.store == nil {
			for _, kv := range e.fixed {
				if kv[0] == k {
					return kv[1], true
				}
			}
			continue
		}
		h := e.store.hist[k]
		// The last entry at or before e.ver.
		i := sort.Search(len(h), func(i int) bool { return h[i].ver > e.ver })
		if i > 0 {
			if h[i-1].unknown {
				return "", false
			}
			return h[i-1].val, true
		}
	}
	return "", false
}

func (e *env) Keys() []string {
	seen := map[string]bool{}
	var keys []string
	for s := e; s != nil; s = s.base {
		if s.store == nil {
			for _, kv := range s.fixed {
				if k := kv[0]; !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
			continue
		}
		for k, h := range s.store.hist {
			if !seen[k] && len(h) > 0 && h[0].ver <= s.ver {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// with returns a snapshot with k set to v. It must be called on the latest
// snapshot of its store (scopes evolve linearly).
func (e *env) with(k, v string) *env {
	if old, ok := e.Get(k); ok && old == v {
		return e
	}
	st := e.store
	st.last++
	if st.hist == nil {
		st.hist = map[string][]envEntry{}
	}
	entry := envEntry{ver: st.last, val: v}
	if len(v) > maxEnvValue {
		entry = envEntry{ver: st.last, unknown: true}
	}
	st.hist[k] = append(st.hist[k], entry)
	return &env{store: st, ver: st.last, base: e.base, esc: e.esc}
}

// expand processes word as BuildKit's shell lexer does when it dispatches an
// instruction: variables expanded, quotes removed, escapes processed. The
// unresolved names are the variables that had no value and no default: a
// name used only as ${NAME:-default} or ${NAME:+alternative} (with or
// without the colon) is not unresolved. When the lexer rejects the word, it
// is returned unchanged and every variable it names counts as unresolved.
func (e *env) expand(word string) (string, []string) {
	if e == nil || lexerKeeps(word, e.esc) {
		return word, nil
	}
	lex := GetLex(rune(e.esc))
	res, err := lex.ProcessWordWithMatches(LexerInput(word), e)
	PutLex(rune(e.esc), lex)
	if err != nil {
		names := varNames(word, e.esc)
		if len(names) == 0 {
			names = []string{word}
		}
		return word, names
	}
	var unresolved []string
	for k := range res.Unmatched {
		if usedWithoutDefault(word, k, e.esc) {
			unresolved = append(unresolved, k)
		}
	}
	slices.Sort(unresolved)
	return res.Result, unresolved
}

// lexerKeeps reports whether BuildKit's lexer returns word unchanged, so
// that the common plain word skips it: a word of ASCII bytes other than NUL
// (text/scanner rejects it), '$', quotes and the escape character.
func lexerKeeps(word string, esc byte) bool {
	for i := 0; i < len(word); i++ {
		switch c := word[i]; {
		case c == 0 || c >= utf8.RuneSelf || c == '$' || c == '\'' || c == '"' || c == esc:
			return false
		}
	}
	return true
}

// varRefs calls fn for every $NAME or ${NAME...} reference in word (escaped
// dollars skipped) with the name and what follows it.
func varRefs(word string, esc byte, fn func(name string, braced bool, rest string)) {
	for i := 0; i < len(word); i++ {
		if word[i] == esc {
			i++
			continue
		}
		if word[i] != '$' {
			continue
		}
		j := i + 1
		braced := j < len(word) && word[j] == '{'
		if braced {
			j++
		}
		k := j
		for k < len(word) && (word[k] == '_' || word[k] >= '0' && word[k] <= '9' || word[k] >= 'a' && word[k] <= 'z' || word[k] >= 'A' && word[k] <= 'Z' || word[k] >= 0x80) {
			k++
		}
		if k > j {
			fn(word[j:k], braced, word[k:])
		}
	}
}

// usedWithoutDefault reports whether word refers to name other than as
// ${name-...}, ${name:-...}, ${name+...} or ${name:+...}.
func usedWithoutDefault(word, name string, esc byte) bool {
	found, plain := false, false
	varRefs(word, esc, func(n string, braced bool, rest string) {
		if n != name {
			return
		}
		found = true
		hasDefault := strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, ":-") ||
			strings.HasPrefix(rest, "+") || strings.HasPrefix(rest, ":+")
		if !braced || !hasDefault {
			plain = true
		}
	})
	// A name the scan cannot find (BuildKit reads names more liberally) is
	// reported, to be safe.
	return plain || !found
}

// varNames lists the variables word refers to, sorted, without duplicates.
func varNames(word string, esc byte) []string {
	var names []string
	varRefs(word, esc, func(n string, _ bool, _ string) { names = append(names, n) })
	slices.Sort(names)
	return slices.Compact(names)
}

// numPredefinedArgs is the number of BuildKit's predefined ARGs.
const numPredefinedArgs = 11

// predefinedArgs are the ARGs BuildKit defines in the global scope: the
// platform ones and TARGETSTAGE; a --build-arg overrides them. They are a
// list, not a map: eleven names are found as fast by a scan, and the list
// is filled in into (the file's arenas; nil: a new array) where the map
// took an allocation of four times the bytes per file.
func predefinedArgs(opts Options, target string, into *[numPredefinedArgs][2]string) [][2]string {
	platform := opts.Platform
	if platform == "" {
		platform = "linux/amd64"
	}
	osName, rest, _ := strings.Cut(platform, "/")
	arch, variant, _ := strings.Cut(rest, "/")
	if target == "" {
		target = "default"
	}
	if into == nil {
		into = new([numPredefinedArgs][2]string)
	}
	*into = [numPredefinedArgs][2]string{
		{"BUILDPLATFORM", platform},
		{"BUILDOS", osName},
		{"BUILDOSVERSION", ""},
		{"BUILDARCH", arch},
		{"BUILDVARIANT", variant},
		{"TARGETPLATFORM", platform},
		{"TARGETOS", osName},
		{"TARGETOSVERSION", ""},
		{"TARGETARCH", arch},
		{"TARGETVARIANT", variant},
		{"TARGETSTAGE", target},
	}
	args := into[:]
	for i, kv := range args {
		if v, ok := opts.BuildArgs[kv[0]]; ok {
			args[i][1] = v
		}
	}
	return args
}

// targetName is the name BuildKit gives TARGETSTAGE: --target, else the
// last stage's name.
func (f *File) targetName(opts Options) string {
	if opts.Target != "" {
		return opts.Target
	}
	for i := len(f.Instructions) - 1; i >= 0; i-- {
		if in := f.Instructions[i]; in.Keyword == "FROM" {
			if len(in.Args()) >= 3 && strings.EqualFold(in.Args()[1].Value, "as") {
				return strings.ToLower(in.Args()[2].Value)
			}
			return ""
		}
	}
	return ""
}

// buildStages groups instructions into stages, tracks ARG/ENV scope as
// BuildKit's dispatcher does, and resolves every image reference.
func (f *File) buildStages(opts Options) {
	esc := byte(f.Escape)
	// The global scope: predefined ARGs and the meta ARGs (before the first
	// FROM) that have a value (buildMetaArgs). FROM lines expand in it.
	meta := newEnv(&env{fixed: predefinedArgs(opts, f.targetName(opts), &f.mem.predefined)}, esc)
	var cur *Stage
	var scope *env
	for i, in := range f.Instructions {
		if in.Keyword == "FROM" {
			cur = f.newStage(in, meta)
			var base *env
			if cur.Parent != nil {
				// A stage built FROM another inherits its ARGs and ENVs.
				base = cur.Parent.env
			}
			scope = newEnv(base, esc)
			cur.env = scope
			continue
		}
		if cur == nil {
			in.env = meta
			if in.Keyword == "ARG" {
				f.MetaArgs = append(f.MetaArgs, in)
				if c, ok := in.Command.(*instructions.ArgCommand); ok {
					for _, kv := range c.Args {
						if v, ok := argValue(kv, opts.BuildArgs, meta, nil); ok {
							meta = meta.with(kv.Key, v)
						}
					}
				}
			} else if !in.Invalid {
				f.addError(in.KeywordRange, "%s instruction before the first FROM: only ARG may come before FROM", in.Keyword)
			}
			continue
		}
		in.Stage = cur
		// A stage's instructions are those from its FROM to the next: a
		// piece of the file's list (capped, so an append copies), not a
		// list of their own; nil for a stage without any, as before.
		n := len(cur.Instructions) + 1
		cur.Instructions = f.Instructions[i+1-n : i+1 : i+1] // in is f.Instructions[i]
		switch c := in.Command.(type) {
		case *instructions.ArgCommand:
			// BuildKit's dispatchArg: each ARG sees the ones before it in
			// the same instruction; the name is not expanded.
			for _, kv := range c.Args {
				if NonEnvArg(kv.Key) {
					continue
				}
				if v, ok := argValue(kv, opts.BuildArgs, scope, meta); ok {
					scope = scope.with(kv.Key, v)
				}
			}
		case *instructions.EnvCommand:
			// BuildKit expands every name and value of an ENV in the scope
			// before it (`ENV A=1 B=$A` gives B the old A), then sets them.
			before := scope
			for _, kv := range c.Env {
				k, _ := before.expand(kv.Key)
				v, _ := before.expand(kv.Value)
				scope = scope.with(k, v)
			}
		}
		in.env = scope
		cur.env = scope
		f.expandMounts(in)
		f.collectRefs(in)
	}
}

// NonEnvArg reports the ARGs BuildKit keeps out of the build environment
// (dockerfile2llb's nonEnvArgs), and never reports as undefined.
func NonEnvArg(name string) bool {
	return name == "BUILDKIT_SBOM_SCAN_CONTEXT" || name == "BUILDKIT_SBOM_SCAN_STAGE"
}

// argValue decides an ARG's value as BuildKit does: a --build-arg wins (taken
// literally: BuildKit does not lex it), then
// the default (expanded in the current scope), then, for a stage ARG, the
// value in the global scope (a meta ARG or a predefined one such as
// TARGETARCH). ok is false when the ARG is declared without a value, which
// leaves the scope unchanged.
func argValue(kv instructions.KeyValuePairOptional, buildArgs map[string]string, scope, global *env) (string, bool) {
	if v, ok := buildArgs[kv.Key]; ok {
		return v, true
	}
	if kv.Value != nil {
		v, _ := scope.expand(*kv.Value)
		return v, true
	}
	if global != nil {
		return global.Get(kv.Key)
	}
	return "", false
}

// expandMounts fills in a RUN's --mount options: BuildKit parses most of
// their fields only once variables are expanded (RunCommand.Expand).
func (f *File) expandMounts(in *Instruction) {
	run, ok := in.Command.(*instructions.RunCommand)
	if !ok {
		return
	}
	scope := in.env
	err := run.Expand(func(word string) (string, error) {
		v, _ := scope.expand(word)
		return v, nil
	})
	if err != nil {
		r := in.Range
		if fl, ok := in.Flag("mount"); ok {
			r = fl.Range
		}
		f.addError(r, "%s", cleanError(err))
	}
	in.Mounts = instructions.GetMounts(run)
}

func (f *File) newStage(in *Instruction, meta *env) *Stage {
	s := &f.mem.stages.take(1)[0] // reserved in buildInstructions
	*s = Stage{Index: len(f.Stages), From: in}
	in.Stage = s
	// Appended after its base is resolved: a stage cannot be its own base.
	defer func() { f.Stages = append(f.Stages, s) }()
	if len(in.Args()) >= 3 && strings.EqualFold(in.Args()[1].Value, "as") {
		s.Name = strings.ToLower(in.Args()[2].Value)
		s.NameRange = in.Args()[2].Range
	}
	in.env = meta
	if len(in.Args()) == 0 {
		return s
	}
	arg := in.Args()[0]
	ref := f.newRef(RefFrom, in, arg.Value, func(a, b int) source.Range {
		return in.logical.rng(arg.off+a, arg.off+b)
	})
	s.Parent = ref.Stage
	s.Base = ref
	return s
}

// stageNamed finds an earlier stage by name or, when allowIndex, by number.
func (f *File) stageNamed(name string, allowIndex bool) *Stage {
	lower := strings.ToLower(name)
	for i := len(f.Stages) - 1; i >= 0; i-- {
		// The last stage of that name, as BuildKit's name map keeps it.
		if st := f.Stages[i]; st.Name != "" && st.Name == lower {
			return st
		}
	}
	if allowIndex {
		if n, err := strconv.Atoi(name); err == nil && n >= 0 && n < len(f.Stages) {
			return f.Stages[n]
		}
	}
	return nil
}

// collectRefs records COPY --from and RUN --mount=from image references.
func (f *File) collectRefs(in *Instruction) {
	if in.Invalid {
		return
	}
	switch in.Keyword {
	case "COPY":
		fl, ok := in.Flag("from")
		if !ok || fl.Value == "" {
			return
		}
		// BuildKit refuses variables in COPY --from (dockerfile2llb toCommand).
		lex := GetLex(f.Escape)
		res, _, err := lex.ProcessWord(LexerInput(fl.Value), &env{})
		PutLex(f.Escape, lex)
		if err != nil || res != fl.Value {
			f.addError(fl.Range, "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround")
			in.Invalid = true
			return
		}
		f.newRef(RefCopyFrom, in, fl.Value, flagSpan(in, fl))
	case "RUN":
		for _, fl := range in.Flags {
			if fl.Name != "mount" {
				continue
			}
			off := 0
			for _, field := range strings.Split(fl.Value, ",") {
				k, v, ok := strings.Cut(field, "=")
				if ok && strings.ToLower(strings.TrimSpace(k)) == "from" && v != "" {
					base := off + len(k) + 1
					f.newRef(RefMountFrom, in, v, func(a, b int) source.Range {
						return flagSpan(in, fl)(base+a, base+b)
					})
				}
				off += len(field) + 1
			}
		}
	}
}

// flagSpan maps a byte span of a flag's decoded value to its source range.
func flagSpan(in *Instruction, fl Flag) func(a, b int) source.Range {
	return func(a, b int) source.Range {
		if from, to, ok := fl.span(a, b); ok {
			return in.logical.rng(from, to)
		}
		return fl.ValueRange
	}
}

// resolveTarget picks the shipped stage and its FROM chain. When target
// names no stage it returns ErrTargetNotFound and uses the last stage.
func (f *File) resolveTarget(target string) error {
	if len(f.Stages) == 0 {
		return nil
	}
	var err error
	f.Target = f.Stages[len(f.Stages)-1]
	if target != "" {
		if st := f.stageNamed(target, false); st != nil {
			f.Target = st
		} else {
			var names []string
			for _, s := range f.Stages {
				if s.Name != "" {
					names = append(names, s.Name)
				}
			}
			err = fmt.Errorf("%w: no stage named %q (stages: %s)", ErrTargetNotFound, target, strings.Join(names, ", "))
		}
	}
	f.inFinal = map[*Stage]bool{}
	for s := f.Target; s != nil && !f.inFinal[s]; s = s.Parent {
		f.inFinal[s] = true
		f.finalChain = append(f.finalChain, s)
	}
	slices.Reverse(f.finalChain)
	return err
}

// BasePlatform is the platform the stage's base image is pulled for: its
// FROM --platform when that expands to a value, else def (the run's).
func (s *Stage) BasePlatform(def string) string {
	if s.From != nil {
		if fl, ok := s.From.Flag("platform"); ok && fl.HasValue {
			if v, unresolved := s.From.Expand(fl.Value); len(unresolved) == 0 && v != "" {
				return v
			}
		}
	}
	return def
}

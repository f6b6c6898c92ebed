package dockerfile

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// env is an immutable snapshot of the variables in scope at an instruction.
// Instructions share a snapshot until an ARG or ENV changes it.
type env struct {
	vals map[string]string
	lex  *shell.Lex
}

func (e *env) Get(k string) (string, bool) { v, ok := e.vals[k]; return v, ok }
func (e *env) Keys() []string            { return slices.Collect(maps.Keys(e.vals)) }

func (e *env) with(k string, v *string) *env {
	next := &env{vals: maps.Clone(e.vals), lex: e.lex}
	if next.vals == nil {
		next.vals = map[string]string{}
	}
	if v == nil {
		delete(next.vals, k)
	} else {
		next.vals[k] = *v
	}
	return next
}

// expand expands variables in word; it returns the word unchanged (and no
// unresolved names) when the lexer rejects it.
func (e *env) expand(word string) (string, []string) {
	if e == nil || !strings.ContainsRune(word, '$') {
		return word, nil
	}
	res, err := e.lex.ProcessWordWithMatches(word, e)
	if err != nil {
		return word, nil
	}
	var unresolved []string
	for k := range res.Unmatched {
		unresolved = append(unresolved, k)
	}
	slices.Sort(unresolved)
	return res.Result, unresolved
}

// predefinedArgs are the platform ARGs BuildKit defines for FROM lines.
func predefinedArgs(platform string) map[string]string {
	if platform == "" {
		platform = "linux/amd64"
	}
	parts := strings.SplitN(platform, "/", 3)
	osName, arch, variant := parts[0], "", ""
	if len(parts) > 1 {
		arch = parts[1]
	}
	if len(parts) > 2 {
		variant = parts[2]
	}
	m := map[string]string{}
	for _, prefix := range []string{"TARGET", "BUILD"} {
		m[prefix+"PLATFORM"] = platform
		m[prefix+"OS"] = osName
		m[prefix+"ARCH"] = arch
		m[prefix+"VARIANT"] = variant
	}
	return m
}

// buildStages groups instructions into stages, tracks ARG/ENV scope and
// resolves every image reference.
func (f *File) buildStages(opts Options) {
	lex := shell.NewLex(f.Escape)
	meta := &env{vals: predefinedArgs(opts.Platform), lex: lex}
	metaDeclared := map[string]*string{} // meta ARG name → value (nil: no value)
	var cur *Stage
	var scope *env
	for _, in := range f.Instructions {
		if in.Keyword == "FROM" {
			cur = f.newStage(in, meta)
			scope = &env{lex: lex}
			if cur.Parent != nil && len(cur.Parent.Instructions) > 0 {
				scope = cur.Parent.Instructions[len(cur.Parent.Instructions)-1].env
			}
			in.env = meta
			continue
		}
		if cur == nil {
			in.env = meta
			if in.Keyword == "ARG" {
				f.MetaArgs = append(f.MetaArgs, in)
				if c, ok := in.Command.(*instructions.ArgCommand); ok {
					for _, kv := range c.Args {
						v := argValue(kv, opts.BuildArgs, meta, nil)
						metaDeclared[kv.Key] = v
						meta = meta.with(kv.Key, v)
					}
				}
			} else if !in.Invalid {
				f.addError(in.KeywordRange, "%s instruction before the first FROM: only ARG may come before FROM", in.Keyword)
			}
			continue
		}
		in.Stage = cur
		cur.Instructions = append(cur.Instructions, in)
		switch c := in.Command.(type) {
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				scope = scope.with(kv.Key, argValue(kv, opts.BuildArgs, scope, metaDeclared))
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				v, _ := scope.expand(kv.Value)
				scope = scope.with(kv.Key, &v)
			}
		}
		in.env = scope
		f.collectRefs(in)
	}
}

// argValue decides an ARG's value: a --build-arg wins, then the default
// (expanded in the current scope), then, for a stage ARG that redeclares a
// meta ARG, the meta value. nil means declared without a value.
func argValue(kv instructions.KeyValuePairOptional, buildArgs map[string]string, scope *env, meta map[string]*string) *string {
	if v, ok := buildArgs[kv.Key]; ok {
		return &v
	}
	if kv.Value != nil {
		v, _ := scope.expand(*kv.Value)
		return &v
	}
	if meta != nil {
		return meta[kv.Key]
	}
	return nil
}

func (f *File) newStage(in *Instruction, meta *env) *Stage {
	s := &Stage{Index: len(f.Stages), From: in}
	in.Stage = s
	// Appended after its base is resolved: a stage cannot be its own base.
	defer func() { f.Stages = append(f.Stages, s) }()
	if len(in.Args) >= 3 && strings.EqualFold(in.Args[1].Value, "as") {
		s.Name = strings.ToLower(in.Args[2].Value)
		s.NameRange = in.Args[2].Range
	}
	if len(in.Args) == 0 {
		return s
	}
	in.env = meta
	ref := f.newRef(RefFrom, in, in.Args[0].Value, in.Args[0].off, in.Args[0].Range)
	s.Parent = ref.Stage
	s.Base = ref
	return s
}

// stageNamed finds an earlier stage by name or, when allowIndex, by number.
func (f *File) stageNamed(name string, allowIndex bool) *Stage {
	lower := strings.ToLower(name)
	for _, st := range f.Stages {
		if st.Name != "" && st.Name == lower {
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
	switch in.Keyword {
	case "COPY":
		if fl, ok := in.Flag("from"); ok && fl.Value != "" {
			f.newRef(RefCopyFrom, in, fl.Value, fl.valueOff, fl.ValueRange)
		}
	case "RUN":
		for _, fl := range in.Flags {
			if fl.Name != "mount" {
				continue
			}
			off := 0
			for _, field := range strings.Split(fl.Value, ",") {
				k, v, ok := strings.Cut(field, "=")
				if ok && strings.TrimSpace(k) == "from" && v != "" {
					valueOff := fl.valueOff + off + len(k) + 1
					if strings.HasPrefix(fl.Value, "\"") || strings.HasPrefix(fl.Value, "'") {
						valueOff++
					}
					f.newRef(RefMountFrom, in, unquote(v), valueOff, in.logical.rng(valueOff, valueOff+len(v)))
				}
				off += len(field) + 1
			}
		}
	}
}

// resolveTarget picks the shipped stage and its FROM chain.
func (f *File) resolveTarget(target string) error {
	if len(f.Stages) == 0 {
		return nil
	}
	f.Target = f.Stages[len(f.Stages)-1]
	if target != "" {
		st := f.stageNamed(target, false)
		if st == nil {
			var names []string
			for _, s := range f.Stages {
				if s.Name != "" {
					names = append(names, s.Name)
				}
			}
			return fmt.Errorf("%w: no stage named %q (stages: %s)", ErrTargetNotFound, target, strings.Join(names, ", "))
		}
		f.Target = st
	}
	f.inFinal = map[*Stage]bool{}
	for s := f.Target; s != nil && !f.inFinal[s]; s = s.Parent {
		f.inFinal[s] = true
		f.finalChain = append(f.finalChain, s)
	}
	slices.Reverse(f.finalChain)
	return nil
}

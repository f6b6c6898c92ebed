package bkcheck

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/util/suggest"
	"github.com/moby/buildkit/util/system"
	"github.com/moby/patternmatcher"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/go-csvvalue"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

// stageState is what dockerfile2llb's dispatchState holds that the checks
// read: the variables in scope, the ARGs declared, whether a WORKDIR was
// set, the image's SHELL and the CMD/ENTRYPOINT/HEALTHCHECK already seen.
type stageState struct {
	// env holds what the Dockerfile defines; the base image's ENV is
	// applied when the warnings that depend on it are resolved.
	env *envList
	// root is the stage whose FROM names the external image (or scratch)
	// this stage is built on; scratch is set for FROM scratch.
	root      *dockerfile.Stage
	scratch   bool
	buildArgs []string // ARG names declared in the stage (and its parents)
	workdir   bool
	shell     []string
	os        string // the stage platform's OS
	cmd       *dockerfile.Instruction
	entry     *dockerfile.Instruction
	health    *dockerfile.Instruction
}

// dispatch follows dockerfile2llb's stage dispatch: the FROM checks of every
// stage (buildDispatchStates), then each instruction with the variables in
// scope at that point (dispatch), every stage as `docker build --check`
// lints all of them.
func (c *checker) dispatch() {
	lex := dockerfile.GetLex(c.f.Escape)
	defer dockerfile.PutLex(c.f.Escape, lex)
	c.platform = c.targetPlatform()
	// Each stage FROM an image defers its platform check: room for those
	// at once, rather than growing the list stage by stage.
	c.res.pending = slices.Grow(c.res.pending, len(c.f.Stages))
	target := c.platform
	global, declared := c.globalArgs(lex, c.f.Options.BuildArgs)
	defaults := global
	if len(c.f.Options.BuildArgs) > 0 {
		defaults, _ = c.globalArgs(lex, nil)
	}
	c.defaultArgBases(lex, defaults)
	reachable := c.reachable()
	for _, s := range c.f.Stages {
		dispatched := reachable == nil || reachable[s]
		st := c.fromChecks(lex, s, global, declared, target, dispatched)
		if !dispatched {
			continue
		}
		for _, in := range s.Instructions {
			if in.Invalid {
				continue
			}
			c.instruction(lex, st, global, in)
		}
	}
}

// reachable are the stages BuildKit dispatches: all of them when linting
// without --target (DockerfileLint sets AllStages), which is nil (most
// files: no set to build), else the target and the stages it needs (FROM,
// COPY --from, RUN --mount=from).
func (c *checker) reachable() map[*dockerfile.Stage]bool {
	if c.f.Options.Target == "" || c.f.Target == nil {
		return nil
	}
	out := map[*dockerfile.Stage]bool{}
	needs := map[*dockerfile.Stage][]*dockerfile.Stage{}
	for _, ref := range c.f.ImageRefs {
		if ref.Stage != nil && ref.Instruction != nil && ref.Instruction.Stage != nil {
			needs[ref.Instruction.Stage] = append(needs[ref.Instruction.Stage], ref.Stage)
		}
	}
	var visit func(s *dockerfile.Stage)
	visit = func(s *dockerfile.Stage) {
		if s == nil || out[s] {
			return
		}
		out[s] = true
		visit(s.Parent)
		for _, d := range needs[s] {
			visit(d)
		}
	}
	visit(c.f.Target)
	return out
}

// globalArgs are the ARGs in scope for FROM lines: BuildKit's predefined
// platform ARGs (overridden by --build-arg) and the ARGs before the first
// FROM (buildMetaArgs); declared holds every name those ARGs declare, with
// or without a value.
func (c *checker) globalArgs(lex *shell.Lex, buildArgs map[string]string) (*envList, map[string]bool) {
	predefined := c.predefined()
	env := newEnvList(len(predefined) + len(c.f.MetaArgs))
	for _, kv := range predefined {
		v := kv[1]
		if o, ok := buildArgs[kv[0]]; ok {
			v = o
		}
		env.set(kv[0], v)
	}
	declared := map[string]bool{}
	for _, in := range c.f.MetaArgs {
		cmd, ok := in.Command.(*instructions.ArgCommand)
		if !ok {
			continue
		}
		for _, kp := range cmd.Args {
			declared[kp.Key] = true
			if v, ok := buildArgs[kp.Key]; ok {
				env.set(kp.Key, v)
			} else if kp.Value != nil {
				res, err := c.processWithMatches(lex, *kp.Value, env)
				if err != nil {
					continue
				}
				env.set(kp.Key, res.Result)
			}
		}
	}
	return env, declared
}

// predefined are the ARGs BuildKit defines before the first FROM, in an
// array: the list is read once and not kept.
func (c *checker) predefined() [11][2]string {
	p := c.platform
	target := c.f.Options.Target
	if target == "" && len(c.f.Stages) > 0 {
		target = c.f.Stages[len(c.f.Stages)-1].Name
	}
	if target == "" {
		target = "default"
	}
	return [...][2]string{
		{"BUILDPLATFORM", platforms.Format(p)}, {"BUILDOS", p.OS}, {"BUILDOSVERSION", p.OSVersion},
		{"BUILDARCH", p.Architecture}, {"BUILDVARIANT", p.Variant},
		{"TARGETPLATFORM", platforms.FormatAll(p)}, {"TARGETOS", p.OS}, {"TARGETOSVERSION", p.OSVersion},
		{"TARGETARCH", p.Architecture}, {"TARGETVARIANT", p.Variant},
		{"TARGETSTAGE", target},
	}
}

// targetPlatform is --platform, linux/amd64 by default (dockvet's default,
// where BuildKit uses the builder's own platform).
func (c *checker) targetPlatform() ocispecs.Platform {
	if c.f.Options.Platform != "" {
		if p, err := platforms.Parse(c.f.Options.Platform); err == nil {
			return platforms.Normalize(p)
		}
	}
	return ocispecs.Platform{OS: "linux", Architecture: "amd64"}
}

// defaultArgBases checks that every FROM still names a valid image when no
// --build-arg is given (validateBaseImagesWithDefaultArgs).
func (c *checker) defaultArgBases(lex *shell.Lex, args *envList) {
	for _, s := range c.f.Stages {
		if s.Base == nil {
			continue
		}
		res, err := c.processWithMatches(lex, s.Base.Raw, args)
		if err != nil {
			return // BuildKit abandons this check
		}
		if !validImageRef(res.Result) {
			c.report(c.res.file, &linter.RuleInvalidDefaultArgInFrom, s.From, s.Base.Range, linter.RuleInvalidDefaultArgInFrom.Format(s.Base.Raw))
		}
	}
}

// fromChecks runs the checks of a FROM line and returns the stage's initial
// state: its parent stage's final state, or its base image's.
func (c *checker) fromChecks(lex *shell.Lex, s *dockerfile.Stage, global *envList, declared map[string]bool, target ocispecs.Platform, reachable bool) *stageState {
	// BuildKit resolves the base image here (and checks its platform);
	// dockvet defers what depends on it (see Result.Resolved).
	from := s.From
	l := withCommentSettings(c.res.file, from.Comments())
	known := func() []string {
		keys := slices.Collect(mapKeys(declared))
		return append(keys, global.Keys()...)
	}
	undeclared := func(unmatched map[string]struct{}) {
		for _, name := range sortedKeys(unmatched) {
			if declared[name] || global.has(name) {
				continue
			}
			match, _ := suggest.Search(name, known(), true)
			c.report(l, &linter.RuleUndefinedArgInFrom, from, c.varRange(from, name), linter.RuleUndefinedArgInFrom.Format(name, match))
		}
	}
	var baseName string
	if s.Base != nil {
		res, _ := c.processWithMatches(lex, s.Base.Raw, global)
		undeclared(res.Unmatched)
		baseName = res.Result
	}
	platform := target
	if raw, fl, ok := rawFlag(from, "platform"); ok {
		res, err := lex.ProcessWordWithMatches(dockerfile.LexerInput(raw), global)
		undeclared(res.Unmatched)
		if len(res.Matched) == 1 && len(res.Unmatched) == 0 {
			if _, ok := res.Matched["TARGETPLATFORM"]; ok {
				if v, _ := global.Get("TARGETPLATFORM"); v == res.Result {
					c.report(l, &linter.RuleRedundantTargetPlatform, from, fl.ValueRange, linter.RuleRedundantTargetPlatform.Format(raw))
				}
			}
		}
		if len(res.Matched) == 0 && len(res.Unmatched) == 0 {
			if p, err := platforms.Parse(res.Result); err == nil && !strings.Contains(s.Name, p.OS) && !strings.Contains(s.Name, p.Architecture) {
				c.report(l, &linter.RuleFromPlatformFlagConstDisallowed, from, fl.ValueRange, linter.RuleFromPlatformFlagConstDisallowed.Format(res.Result))
			}
		}
		if p, perr := platforms.Parse(res.Result); err == nil && perr == nil {
			platform = platforms.Normalize(p)
		}
	}

	st := &stageState{env: &envList{}, os: platform.OS, root: s}
	switch {
	case s.Parent != nil:
		// FROM <stage>: BuildKit's init() copies the parent's state as it
		// is after the parent's last instruction; CMD, ENTRYPOINT and
		// HEALTHCHECK trackers start afresh.
		if ps := c.stateOf(s.Parent); ps != nil {
			st.env, st.scratch, st.root = ps.env.clone(), ps.scratch, ps.root
			st.buildArgs = slices.Clone(ps.buildArgs)
			st.workdir, st.shell, st.os = ps.workdir, slices.Clone(ps.shell), ps.os
		}
	case s.Base != nil && s.Base.Scratch:
		st.scratch = true
	case s.Base != nil && reachable:
		// The base image's platform is checked once it is known.
		p := platform
		c.defer_(c.res.file, &linter.RuleInvalidBaseImagePlatform, from, s.Base.Range, "", pending{stage: s, platform: &p, name: baseName})
	}
	if !st.env.has("PATH") && st.os != "windows" {
		st.env.set("PATH", system.DefaultPathEnv(st.os))
	}
	c.states = append(c.states, stateOf{s, st})
	return st
}

type stateOf struct {
	stage *dockerfile.Stage
	state *stageState
}

func (c *checker) stateOf(s *dockerfile.Stage) *stageState {
	for _, so := range c.states {
		if so.stage == s {
			return so.state
		}
	}
	return nil
}

// plain reports whether BuildKit's lexer returns word unchanged, with no
// variable: no $, quote, escape character, NUL or non-ASCII byte. Most
// words are plain; skipping the lexer for them keeps the checks cheap.
func plain(word string, esc rune) bool {
	for i := 0; i < len(word); i++ {
		switch c := word[i]; {
		case c == 0 || c >= 0x80 || c == '$' || c == '\'' || c == '"' || rune(c) == esc:
			return false
		}
	}
	return true
}

// processWithMatches is the lexer's ProcessWordWithMatches with the plain
// fast path.
func (c *checker) processWithMatches(lex *shell.Lex, word string, env shell.EnvGetter) (shell.ProcessWordResult, error) {
	if plain(word, c.f.Escape) {
		return shell.ProcessWordResult{Result: word, Words: []string{word}}, nil
	}
	return lex.ProcessWordWithMatches(dockerfile.LexerInput(word), env)
}

// word is one string BuildKit expands in an instruction, with the result.
type word struct {
	raw       string
	value     string
	unmatched map[string]struct{}
}

// instruction dispatches one instruction: expands what BuildKit expands
// (reporting undefined variables), then runs the instruction's checks.
func (c *checker) instruction(lex *shell.Lex, st *stageState, global *envList, in *dockerfile.Instruction) {
	l := withCommentSettings(c.res.file, in.Comments())
	words, ok := c.expand(lex, st, in)
	c.undefined(l, st, in, words)
	if !ok {
		return // BuildKit stops at an expansion error (after reporting)
	}
	switch cmd := in.Command.(type) {
	case *instructions.EnvCommand:
		for i, kv := range cmd.Env {
			key, value := words[2*i].value, words[2*i+1].value
			if kv.NoDelim {
				c.report(l, &linter.RuleLegacyKeyValueFormat, in, keyRange(in, kv.Key), linter.RuleLegacyKeyValueFormat.Format(cmd.Name()))
			}
			c.secretKey(l, in, "ENV", key)
			st.env.set(key, value)
		}
	case *instructions.LabelCommand:
		for _, kv := range cmd.Labels {
			if kv.NoDelim {
				c.report(l, &linter.RuleLegacyKeyValueFormat, in, keyRange(in, kv.Key), linter.RuleLegacyKeyValueFormat.Format(cmd.Name()))
			}
		}
	case *instructions.ArgCommand:
		c.arg(lex, l, st, global, in, cmd)
	case *instructions.WorkdirCommand:
		path := words[0]
		if !st.workdir && !system.IsAbs(path.value, st.os) {
			rng := in.ArgsRange
			if len(in.Args()) > 0 {
				rng = in.Args()[0].Range
			}
			msg := linter.RuleWorkdirRelativePath.Format(path.value)
			if len(path.unmatched) == 0 || st.scratch {
				c.report(l, &linter.RuleWorkdirRelativePath, in, rng, msg)
			} else {
				// The base image may define the variables (WORKDIR $HOME).
				c.defer_(l, &linter.RuleWorkdirRelativePath, in, rng, msg, pending{stage: st.root, vars: sortedKeys(path.unmatched)})
			}
		}
		st.workdir = true
	case *instructions.CmdCommand:
		c.usedOnce(l, &st.cmd, in, cmd.Name())
		c.jsonArgs(l, st, in, cmd.PrependShell, cmd.Name())
	case *instructions.EntrypointCommand:
		c.usedOnce(l, &st.entry, in, cmd.Name())
		c.jsonArgs(l, st, in, cmd.PrependShell, cmd.Name())
	case *instructions.HealthCheckCommand:
		c.usedOnce(l, &st.health, in, cmd.Name())
	case *instructions.ShellCommand:
		st.shell = slices.Clone(cmd.Shell)
	case *instructions.ExposeCommand:
		c.expose(lex, l, st, in, cmd)
	case *instructions.CopyCommand:
		if cmd.From == "" {
			c.ignoredSources(l, st, in, "Copy", words, len(cmd.SourcePaths))
		}
	case *instructions.AddCommand:
		c.ignoredSources(l, st, in, "Add", words[3:], len(cmd.SourcePaths))
	}
}

// expand runs BuildKit's lexer on every word BuildKit expands for the
// instruction (its Expand and ExpandRaw methods), in the order they list
// them, with the variables in scope before it. ARG values are expanded in
// arg. ok is false when the lexer fails (BuildKit stops there). The words
// are valid until the next call: they live in the checker's buffer.
func (c *checker) expand(lex *shell.Lex, st *stageState, in *dockerfile.Instruction) ([]word, bool) {
	var raws []string
	var rawContents []string // COPY/ADD heredoc bodies, expanded without quote processing
	c.raws = c.raws[:0]
	switch cmd := in.Command.(type) {
	case *instructions.EnvCommand:
		for _, kv := range cmd.Env {
			c.raws = append(c.raws, kv.Key, kv.Value)
		}
		raws = c.raws
	case *instructions.LabelCommand:
		for _, kv := range cmd.Labels {
			c.raws = append(c.raws, kv.Key, kv.Value)
		}
		raws = c.raws
	case *instructions.CopyCommand:
		c.raws = append(append(c.raws, cmd.SourcePaths...), cmd.DestPath, cmd.Chown, cmd.Chmod)
		raws = c.raws
		rawContents = expandedContents(cmd.SourceContents)
	case *instructions.AddCommand:
		c.raws = append(append(c.raws, cmd.Chown, cmd.Chmod, cmd.Checksum), cmd.SourcePaths...)
		c.raws = append(c.raws, cmd.DestPath)
		raws = c.raws
		rawContents = expandedContents(cmd.SourceContents)
	case *instructions.WorkdirCommand:
		raws = []string{cmd.Path}
	case *instructions.UserCommand:
		raws = []string{cmd.User}
	case *instructions.VolumeCommand:
		raws = cmd.Volumes
	case *instructions.StopSignalCommand:
		raws = []string{cmd.Signal}
	case nil:
		if in.Keyword == "RUN" {
			raws = mountValues(in)
		}
	}
	words := c.words[:0]
	defer func() { c.words = words[:0] }()
	for _, raw := range raws {
		if plain(raw, c.f.Escape) {
			words = append(words, word{raw: raw, value: raw})
			continue
		}
		v, unmatched, err := lex.ProcessWord(dockerfile.LexerInput(raw), st.env)
		words = append(words, word{raw: raw, value: v, unmatched: unmatched})
		if err != nil {
			return words, false
		}
	}
	if len(rawContents) > 0 {
		rawLex := shell.NewLex('\\')
		rawLex.SkipProcessQuotes = true
		for _, raw := range rawContents {
			v, unmatched, err := rawLex.ProcessWord(dockerfile.LexerInput(raw), st.env)
			words = append(words, word{raw: raw, value: v, unmatched: unmatched})
			if err != nil {
				return words, false
			}
		}
	}
	return words, true
}

func expandedContents(cs []instructions.SourceContent) []string {
	var out []string
	for _, sc := range cs {
		if sc.Expand {
			out = append(out, sc.Data)
		}
	}
	return out
}

// mountValues are the values of a RUN's --mount options (type=cache,
// target=$DIR...), which BuildKit expands.
func mountValues(in *dockerfile.Instruction) []string {
	if in.Node == nil {
		return nil
	}
	var out []string
	for _, fl := range in.Node.Flags {
		v, ok := strings.CutPrefix(fl, "--mount=")
		if !ok {
			continue
		}
		fields, err := csvvalue.Fields(v, nil)
		if err != nil {
			continue
		}
		for _, field := range fields {
			if _, value, ok := strings.Cut(field, "="); ok {
				out = append(out, value)
			}
		}
	}
	return out
}

// undefined reports the variables an expansion found no value for
// (reportUnmatchedVariables), unless the base image is unknown.
func (c *checker) undefined(l *linter.Linter, st *stageState, in *dockerfile.Instruction, words []word) {
	seen := map[string]bool{}
	for _, w := range words {
		for _, name := range sortedKeys(w.unmatched) {
			if seen[name] || dockerfile.NonEnvArg(name) || slices.Contains(st.buildArgs, name) {
				continue
			}
			seen[name] = true
			match, _ := suggest.Search(name, st.env.Keys(), true)
			msg := linter.RuleUndefinedVar.Format(name, match)
			if st.scratch {
				c.report(l, &linter.RuleUndefinedVar, in, c.varRange(in, name), msg)
				continue
			}
			// Defined unless the base image's ENV defines it.
			c.defer_(l, &linter.RuleUndefinedVar, in, c.varRange(in, name), msg,
				pending{stage: st.root, vars: []string{name}, keys: slices.Clone(st.env.Keys())})
		}
	}
}

// arg dispatches an ARG in a stage (dispatchArg): secret-looking names, the
// default's expansion, and the value it puts in scope.
func (c *checker) arg(lex *shell.Lex, l *linter.Linter, st *stageState, global *envList, in *dockerfile.Instruction, cmd *instructions.ArgCommand) {
	for _, kp := range cmd.Args {
		c.secretKey(l, in, "ARG", kp.Key)
		value, hasValue := c.f.Options.BuildArgs[kp.Key]
		switch {
		case hasValue:
		case kp.Value != nil:
			v, unmatched, err := lex.ProcessWord(dockerfile.LexerInput(*kp.Value), st.env)
			c.undefined(l, st, in, []word{{raw: *kp.Value, value: v, unmatched: unmatched}})
			if err != nil {
				return
			}
			value, hasValue = v, true
		default:
			value, hasValue = global.Get(kp.Key)
		}
		if hasValue && !dockerfile.NonEnvArg(kp.Key) {
			st.env.set(kp.Key, value)
		}
		st.buildArgs = append(st.buildArgs, kp.Key)
	}
}

// secretKey reports an ARG or ENV whose name looks like it holds a secret
// (validateNoSecretKey): a word of the name, between underscores, is one of
// BuildKit's secret words and none is an allowed one.
func (c *checker) secretKey(l *linter.Linter, in *dockerfile.Instruction, what, key string) {
	if hasWord(key, secretWords) && !hasWord(key, allowedWords) {
		c.report(l, &linter.RuleSecretsUsedInArgOrEnv, in, keyRange(in, key), linter.RuleSecretsUsedInArgOrEnv.Format(what, key))
	}
}

// BuildKit's lists (dockerfile2llb/validations.go, getSecretsRegex), matched
// as a whole name or an `_`-separated word of it, case-insensitively.
var (
	secretWords  = []string{"apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"}
	allowedWords = []string{"public", "file", "version"}
)

func hasWord(name string, words []string) bool {
	for part := range strings.SplitSeq(name, "_") {
		for _, w := range words {
			if strings.EqualFold(part, w) {
				return true
			}
		}
	}
	return false
}

// usedOnce reports the earlier of two CMD (ENTRYPOINT, HEALTHCHECK) in a
// stage: only the last one takes effect (validateUsedOnce).
func (c *checker) usedOnce(l *linter.Linter, prev **dockerfile.Instruction, in *dockerfile.Instruction, name string) {
	if *prev != nil {
		p := *prev
		c.report(l, &linter.RuleMultipleInstructionsDisallowed, p, p.KeywordRange, linter.RuleMultipleInstructionsDisallowed.Format(name),
			finding.Related{Range: in.KeywordRange, Message: "the " + in.Keyword + " that replaces it"})
	}
	*prev = in
}

// jsonArgs reports a shell-form CMD or ENTRYPOINT when the image has no
// SHELL of its own (an unknown base is taken to have none, as almost no
// Linux image sets one).
func (c *checker) jsonArgs(l *linter.Linter, st *stageState, in *dockerfile.Instruction, shellForm bool, name string) {
	if !shellForm || len(st.shell) > 0 {
		return
	}
	msg := linter.RuleJSONArgsRecommended.Format(name)
	if st.scratch {
		c.report(l, &linter.RuleJSONArgsRecommended, in, in.ArgsRange, msg)
		return
	}
	c.defer_(l, &linter.RuleJSONArgsRecommended, in, in.ArgsRange, msg, pending{stage: st.root, shell: true, holdsIfUnknown: true})
}

// expose checks each EXPOSE port as BuildKit parses it (parsePort): the
// protocol's case and host IPs or host ports.
func (c *checker) expose(lex *shell.Lex, l *linter.Linter, st *stageState, in *dockerfile.Instruction, cmd *instructions.ExposeCommand) {
	for _, p := range cmd.Ports {
		ports, err := lex.ProcessWords(dockerfile.LexerInput(p), st.env)
		if err != nil {
			return
		}
		rng, ok := in.TextRange(p)
		if !ok {
			rng = in.ArgsRange
		}
		for _, raw := range ports {
			ip, hostPort, containerPort := splitPortParts(raw)
			port, proto, _ := strings.Cut(containerPort, "/")
			if port == "" {
				return // BuildKit fails: no port specified
			}
			switch strings.ToLower(proto) {
			case "", "tcp", "udp", "sctp":
			default:
				return // BuildKit fails: invalid proto
			}
			if proto != strings.ToLower(proto) {
				c.report(l, &linter.RuleExposeProtoCasing, in, rng, linter.RuleExposeProtoCasing.Format(raw))
			}
			if ip != "" || hostPort != "" {
				c.report(l, &linter.RuleExposeInvalidFormat, in, rng, linter.RuleExposeInvalidFormat.Format(raw))
			}
		}
	}
}

// splitPortParts splits [ip:]hostPort:containerPort as BuildKit does.
func splitPortParts(raw string) (ip, hostPort, containerPort string) {
	parts := strings.Split(raw, ":")
	switch n := len(parts); n {
	case 1:
		return "", "", parts[0]
	case 2:
		return "", parts[0], parts[1]
	case 3:
		return parts[0], parts[1], parts[2]
	default:
		return strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
	}
}

// ignoredSources reports COPY/ADD sources from the build context that
// .dockerignore excludes (validateCopySourcePath). srcs are the expanded
// sources, first n of words.
func (c *checker) ignoredSources(l *linter.Linter, st *stageState, in *dockerfile.Instruction, what string, srcs []word, n int) {
	pm := c.env.Ignore
	if pm == nil || pm.Exclusions() {
		return // BuildKit does not judge files a `!` pattern may bring back
	}
	for _, w := range srcs[:min(n, len(srcs))] {
		if len(w.unmatched) > 0 && !st.scratch {
			// The base image may define the variables: the source is not known.
			continue
		}
		src := w.value
		if what == "Add" && isRemote(src) {
			continue
		}
		src = filepath.ToSlash(filepath.Clean(src))
		if (src == "." || src == "/") && !rootIgnored(pm.Patterns()) {
			continue
		}
		if ok, err := pm.MatchesOrParentMatches(src); err != nil || !ok {
			continue
		}
		rng, found := in.TextRange(w.raw)
		if !found {
			rng = in.ArgsRange
		}
		c.report(l, &linter.RuleCopyIgnoredFile, in, rng, linter.RuleCopyIgnoredFile.Format(what, src))
	}
}

// isRemote tells ADD's URL and Git sources, which do not come from the
// context.
func isRemote(src string) bool {
	return strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") ||
		strings.HasPrefix(src, "git@") || strings.HasPrefix(src, "git://") || strings.HasPrefix(src, "ssh://")
}

func rootIgnored(ps []*patternmatcher.Pattern) bool {
	for _, p := range ps {
		if p.Exclusion() {
			continue
		}
		switch p.String() {
		case "*", "**", "**/*":
			return true
		}
	}
	return false
}

// varRange is where in refers to variable name; the keyword when the
// reference is not in its line (a heredoc body).
func (c *checker) varRange(in *dockerfile.Instruction, name string) source.Range {
	if r, ok := in.VarRange(name, c.f.Escape); ok {
		return r
	}
	return in.KeywordRange
}

// keyRange is the key of a `key=value` (or legacy `key value`) argument.
func keyRange(in *dockerfile.Instruction, key string) source.Range {
	for _, a := range in.Args() {
		if a.Value == key || strings.HasPrefix(a.Value, key+"=") {
			return prefixRange(a.Range, key)
		}
	}
	if r, ok := in.TextRange(key); ok {
		return r
	}
	return in.KeywordRange
}

// rawFlag returns a builder flag's value as written (BuildKit expands it
// itself) and dockvet's view of the flag.
func rawFlag(in *dockerfile.Instruction, name string) (string, dockerfile.Flag, bool) {
	fl, ok := in.Flag(name)
	if !ok || in.Node == nil {
		return "", fl, false
	}
	for _, f := range in.Node.Flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v, fl, true
		}
	}
	return "", fl, false
}

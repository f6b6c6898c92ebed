// Package bkcheck runs BuildKit's Dockerfile checks — the ruleset of
// `docker build --check` (frontend/dockerfile/linter, BuildKit v0.34.2) — on
// dockvet's parsed model, once per file, and places each warning on the token
// it is about.
//
// BuildKit runs its checks in two places. Four of them (FromAsCasing,
// StageNameCasing, MaintainerDeprecated, InvalidDefinitionDescription) and
// NoEmptyContinuation run inside its parser, which dockvet's front end calls:
// those warnings come from BuildKit's own code (dockerfile.File.
// BuildKitWarnings). The others run while dockerfile2llb converts the file to
// LLB (validations.go, convert.go). Linking dockerfile2llb would pull 270 more
// packages into the binary, re-parse every file and cost about 2.5 times the
// parse, so this package follows its dispatch instead: the same stage and
// variable scopes, BuildKit's shell lexer for every expansion, BuildKit's
// rule values for names, descriptions, URLs and messages, BuildKit's linter
// for `# check=` settings. tools/bkoracle compares the result with
// dockerfile2llb.DockerfileLint itself over the corpus and the test cases.
//
// Where BuildKit needs the base image (its ENV for UndefinedVar, its SHELL
// for JSONArgsRecommended, its platform for InvalidBaseImagePlatform), the
// base comes from dockvet's resolver; when it is unknown (offline, not
// found) the checks that depend on it stay silent rather than guess.
package bkcheck

import (
	"cmp"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/util/suggest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
)

// Warning is one BuildKit check that fired.
type Warning struct {
	// Rule is BuildKit's rule name ("UndefinedVar").
	Rule string
	// Message is BuildKit's message for it.
	Message string
	// Range is the token the warning is about (the variable, the key, the
	// `as` keyword...); the instruction's keyword when there is no token.
	Range source.Range
	// Related points at other places that explain it (the later CMD that
	// overrides the one reported).
	Related []finding.Related
	// Instruction is the instruction BuildKit reports (its lines are
	// BuildKit's location); nil for NoEmptyContinuation outside one.
	Instruction *dockerfile.Instruction
	// Fix is the safe rewrite that resolves the warning; nil when there is
	// none (see addFixes).
	Fix *finding.Fix
}

// Result is what BuildKit's checks report for one file.
type Result struct {
	// Warnings in source order.
	Warnings []Warning
	// AsError is set by `# check=error=true`: BuildKit fails the build on
	// any of its warnings.
	AsError bool
	// pending are warnings whose verdict depends on a base image.
	pending []pending
	file    *linter.Linter // the file's `# check=` settings
}

// Of returns the warnings of one rule, in a slice of their number: each
// of the two dozen BuildKit rules asks for its own.
func (r *Result) Of(name string) []Warning {
	n := 0
	for _, w := range r.Warnings {
		if w.Rule == name {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Warning, 0, n)
	for _, w := range r.Warnings {
		if w.Rule == name {
			out = append(out, w)
		}
	}
	return out
}

// BaseLookup returns the external image a root stage is built FROM: (nil,
// true) for scratch, (nil, false) when unknown.
type BaseLookup func(s *dockerfile.Stage) (*image.Image, bool)

// PassBases is the BaseLookup of a rule's pass (dockvet's resolver and cache).
func PassBases(p *rule.Pass) BaseLookup {
	return func(s *dockerfile.Stage) (*image.Image, bool) {
		if s.Base != nil && s.Base.Scratch {
			return nil, true
		}
		img, _, _ := p.BaseImage(s)
		return img, img != nil
	}
}

// pending is a warning that holds unless the base image of stage says
// otherwise: BuildKit reads the base's ENV (UndefinedVar; a WORKDIR whose
// variables it may define), its SHELL (JSONArgsRecommended) and its platform
// (InvalidBaseImagePlatform).
type pending struct {
	Warning
	stage *dockerfile.Stage // the root stage whose base decides
	// vars are variables the base's ENV must not define for the warning to
	// hold; keys are the names in scope, for UndefinedVar's suggestion.
	vars []string
	keys []string
	// shell: the warning holds unless the base sets SHELL.
	shell bool
	// holdsIfUnknown: the warning is reported when the base is unknown
	// (a base image with a SHELL is rare enough to assume none).
	holdsIfUnknown bool
	// platform: the platform the stage builds for (InvalidBaseImagePlatform).
	platform *ocispecs.Platform
	name     string // the base as written after expansion, for the message
}

// Resolved returns the warnings of rule name that depend on base images, as
// BuildKit would give them with those bases: each holds when the base is
// known and does not contradict it; nothing is reported for an unknown base.
func (r *Result) Resolved(name string, bases BaseLookup) []Warning {
	var out []Warning
	for _, p := range r.pending {
		if p.Rule != name {
			continue
		}
		img, known := bases(p.stage)
		if !known {
			if p.holdsIfUnknown {
				out = append(out, p.Warning)
			}
			continue
		}
		w, ok := p.resolve(img)
		if ok {
			out = append(out, w)
		}
	}
	return out
}

func (p pending) resolve(img *image.Image) (Warning, bool) {
	w := p.Warning
	var env map[string]bool
	if img != nil {
		env = map[string]bool{}
		for _, kv := range img.Env {
			k, _, _ := strings.Cut(kv, "=")
			env[k] = true
		}
	}
	switch {
	case p.platform != nil:
		if img == nil || img.OS == "" || img.Architecture == "" || (p.platform.OS == img.OS && p.platform.Architecture == img.Architecture) {
			return w, false
		}
		got := ocispecs.Platform{OS: img.OS, Architecture: img.Architecture}
		w.Message = linter.RuleInvalidBaseImagePlatform.Format(p.name, platforms.FormatAll(platforms.Normalize(*p.platform)), platforms.FormatAll(platforms.Normalize(got)))
		return w, true
	case p.shell:
		return w, img == nil || len(img.Shell) == 0
	case p.Rule == linter.RuleUndefinedVar.Name:
		name := p.vars[0]
		if env[name] {
			return w, false
		}
		keys := p.keys
		for k := range env {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		match, _ := suggest.Search(name, keys, true)
		w.Message = linter.RuleUndefinedVar.Format(name, match)
		return w, true
	default:
		for _, v := range p.vars {
			if env[v] {
				return w, false
			}
		}
		return w, true
	}
}

// Skips reports whether the file's `# check=` settings (the directive at the
// top, or a `# check=` comment directly above in) turn rule off for in, as
// BuildKit reads them. in may be nil (file-wide settings only).
func (r *Result) Skips(name string, in *dockerfile.Instruction) bool {
	l := r.file
	if in != nil {
		l = withCommentSettings(l, in.Comments())
	}
	return !allows(l, name)
}

// Analysis computes the Result once per file for every rule that reads it.
// It reads no base image: what depends on one is kept pending (see
// Resolved), so that rules which do not read base images get the same
// result whether or not base images are looked up.
var Analysis = &rule.Analysis[*Result]{Name: "buildkit-checks", Run: func(p *rule.Pass) *Result {
	return Check(p.File, Env{Ignore: ignorePatterns(p)})
}}

// Env is what the checks may know besides the Dockerfile.
type Env struct {
	// Ignore are the build context's .dockerignore patterns, for
	// CopyIgnoredFile (nil: none, as BuildKit without a context).
	Ignore *patternmatcher.PatternMatcher
}

// ignorePatterns returns the .dockerignore of the pass's build context, read
// as DV412 reads it.
func ignorePatterns(p *rule.Pass) *patternmatcher.PatternMatcher {
	if p.Context == nil {
		return nil
	}
	return p.Context.IgnoreMatcher()
}

// Check runs BuildKit's checks on f.
func Check(f *dockerfile.File, env Env) *Result {
	cfg, err := linter.ParseLintOptions(f.CheckDirective)
	if err != nil {
		// BuildKit refuses such a file ("failed to parse check options");
		// dockvet reports its checks as if there were no directive.
		cfg = &linter.Config{}
	}
	res := &Result{AsError: cfg.ReturnAsError, file: linter.New(cfg)}
	c := &checker{f: f, env: env, res: res}
	c.parseWarnings()
	c.stageNames()
	c.commandCasing()
	c.dispatch()
	c.addFixes()
	slices.SortStableFunc(res.Warnings, byPosition)
	slices.SortStableFunc(res.pending, func(a, b pending) int { return byPosition(a.Warning, b.Warning) })
	return res
}

func byPosition(a, b Warning) int {
	return cmp.Or(cmp.Compare(a.Range.Start.Line, b.Range.Start.Line), cmp.Compare(a.Range.Start.Col, b.Range.Start.Col))
}

type checker struct {
	f      *dockerfile.File
	env    Env
	res    *Result
	states []stateOf // each stage's state, in dispatch order
	// platform is the target platform (--platform, linux/amd64 by default).
	platform ocispecs.Platform
	// raws and words are expand's buffers, reused from one instruction to
	// the next.
	raws  []string
	words []word
}

// report adds a warning when the linter l (the file's settings merged with
// the comments BuildKit consults at this point) lets rule r through.
func (c *checker) report(l *linter.Linter, r linter.LinterRuleI, in *dockerfile.Instruction, rng source.Range, msg string, related ...finding.Related) {
	if !allows(l, r.RuleName()) {
		return
	}
	if rng == (source.Range{}) && in != nil {
		rng = in.KeywordRange
	}
	c.res.Warnings = append(c.res.Warnings, Warning{Rule: r.RuleName(), Message: msg, Range: rng, Related: related, Instruction: in})
}

// defer records a warning that depends on the base image of stage p.stage.
func (c *checker) defer_(l *linter.Linter, r linter.LinterRuleI, in *dockerfile.Instruction, rng source.Range, msg string, p pending) {
	if !allows(l, r.RuleName()) {
		return
	}
	if rng == (source.Range{}) && in != nil {
		rng = in.KeywordRange
	}
	p.Warning = Warning{Rule: r.RuleName(), Message: msg, Range: rng, Instruction: in}
	c.res.pending = append(c.res.pending, p)
}

// withCommentSettings is BuildKit's l.WithMergedConfigFromComments: l with
// the settings of a `# check=` comment among comments. Its directive parser
// allocates for every comment, and few comments are directives: one that
// does not name "check" (in any case) with an '=' is not handed to it.
func withCommentSettings(l *linter.Linter, comments []string) *linter.Linter {
	for _, c := range comments {
		if strings.IndexByte(c, '=') >= 0 && source.ContainsFoldASCII(c, "check") {
			return l.WithMergedConfigFromComments(comments)
		}
	}
	return l
}

// allows asks BuildKit's linter whether it would run the named rule: the
// skip lists and skip=all are its own logic. An experimental check is never
// skipped (BuildKit's skip lists do not apply to them); whether it runs at
// all is dockvet's decision (off until enabled, or opted in by the file:
// ExperimentalOptIn).
func allows(l *linter.Linter, name string) bool {
	if experimental(name) {
		return true
	}
	if !l.SkipAll && len(l.SkippedRules) == 0 {
		return true // nothing is skipped (most files): no need to ask
	}
	ran := false
	probe := *l
	probe.CalledRules = new([]string)
	probe.Warn = func(string, string, string, string, []parser.Range) { ran = true }
	// Every rule is asked as a stable one: whether an experimental check
	// runs at all is dockvet's decision (it is off until enabled), and a
	// skip list may name it too.
	probe.Run(probeRule(name), nil)
	return ran
}

// experimental reports BuildKit's experimental checks (v0.34.2).
func experimental(name string) bool {
	return name == linter.RuleInvalidDefinitionDescription.Name
}

// ExperimentalOptIn reports whether f's `# check=experimental=` directive
// turns BuildKit's experimental check name on, as it does in BuildKit.
func ExperimentalOptIn(f *dockerfile.File, name string) bool {
	if f.CheckDirective == "" {
		return false
	}
	cfg, err := linter.ParseLintOptions(f.CheckDirective)
	if err != nil {
		return false
	}
	return cfg.ExperimentalAll || slices.Contains(cfg.ExperimentalRules, name)
}

type probeRule string

func (p probeRule) RuleName() string     { return string(p) }
func (p probeRule) IsDeprecated() bool   { return false }
func (p probeRule) IsExperimental() bool { return false }
func (p probeRule) Run(warn linter.LintWarnFunc, loc []parser.Range, txt ...string) {
	warn(string(p), "", "", "", loc)
}

// Skipped reports whether f's `# check=` settings turn BuildKit's rule name
// off for in (nil: file-wide), without running the checks: dockvet's own
// forms of a BuildKit check (DV300 and DV301 for JSONArgsRecommended) obey
// the same settings.
func Skipped(f *dockerfile.File, name string, in *dockerfile.Instruction) bool {
	if f.CheckDirective == "" && (in == nil || len(in.Comments()) == 0) {
		return false
	}
	cfg, err := linter.ParseLintOptions(f.CheckDirective)
	if err != nil {
		cfg = &linter.Config{}
	}
	r := &Result{file: linter.New(cfg)}
	return r.Skips(name, in)
}

// Names are BuildKit's checks (v0.34.2 frontend/dockerfile/linter), the
// ids of the dockvet rules that carry them.
var Names = []string{
	linter.RuleConsistentInstructionCasing.Name, linter.RuleCopyIgnoredFile.Name, linter.RuleDuplicateStageName.Name,
	linter.RuleExposeInvalidFormat.Name, linter.RuleExposeProtoCasing.Name, linter.RuleFromAsCasing.Name,
	linter.RuleFromPlatformFlagConstDisallowed.Name, linter.RuleInvalidBaseImagePlatform.Name,
	linter.RuleInvalidDefaultArgInFrom.Name, linter.RuleInvalidDefinitionDescription.Name,
	linter.RuleJSONArgsRecommended.Name, linter.RuleLegacyKeyValueFormat.Name, linter.RuleMaintainerDeprecated.Name,
	linter.RuleMultipleInstructionsDisallowed.Name, linter.RuleNoEmptyContinuation.Name,
	linter.RuleRedundantTargetPlatform.Name, linter.RuleReservedStageName.Name, linter.RuleSecretsUsedInArgOrEnv.Name,
	linter.RuleStageNameCasing.Name, linter.RuleUndefinedArgInFrom.Name, linter.RuleUndefinedVar.Name,
	linter.RuleWorkdirRelativePath.Name,
}

// ReportedLine maps where dockvet reports a BuildKit check (the exact token,
// possibly on a continuation line) to the line BuildKit gives the same
// warning: the first line of the instruction, or for NoEmptyContinuation
// (dockvet points at the empty line) the instruction's last line. Tools that
// compare dockvet with BuildKit's own output use it.
func ReportedLine(f *dockerfile.File, check string, line int) int {
	if f == nil {
		return line
	}
	for _, in := range f.Instructions {
		if line < in.StartLine || line > in.EndLine {
			continue
		}
		if check == linter.RuleNoEmptyContinuation.Name {
			return in.EndLine
		}
		return in.StartLine
	}
	return line
}

// Package engine runs rules over Dockerfiles: it decides which rules are on and
// at what severity, applies inline suppressions, and turns diagnostics into
// sorted findings. It knows no rule by name: rules arrive as values.
package engine

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/hadolint"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/secrets"
	"github.com/dockvet/dockvet/internal/source"
)

// RuleRef names a rule in a setting, with where the name was written. An
// empty File means a command-line flag.
type RuleRef struct {
	Name   string
	File   string
	Line   int
	Column int
}

// Override changes a rule's severity; SeverityNone switches it off.
type Override struct {
	Rule  RuleRef
	Level finding.Severity
}

// Layer is one source of rule settings (a config file, the flags).
type Layer struct {
	Enable   []RuleRef
	Ignore   []RuleRef
	Severity []Override
}

// Settings choose rules. Layers apply in order, so a later layer wins: the CLI
// passes the config file first and the flags after it. Within a layer,
// ignore wins over enable.
type Settings struct {
	Layers []Layer
	// InvalidSuppression, when set, is the rule under which unknown rule names
	// in a config file are reported (names given as flags are errors instead).
	InvalidSuppression *rule.Rule
	// Bases, when set, looks up the external images that final images are
	// built from, so rules can read their configs (rule.Pass.BaseImage).
	Bases BaseResolver
	// Context, when set, gives rules the build context of each file
	// (rule.Pass.Context); see ContextSettings.
	Context *ContextSettings
	// Limits are the size thresholds for the size rules.
	Limits rule.Limits
	// Secrets are values that must not appear in any output (build args
	// taken from the environment): every finding's message and related
	// messages, and every file error, show them as "***". Values shorter
	// than MinSecretLen are not redacted: masking "1" would mangle every
	// line number.
	Secrets []string
}

// MinSecretLen is the length below which Settings.Secrets are not redacted.
const MinSecretLen = 4

// BaseResolver resolves image references; *registry.Resolver is one. It
// returns one result per request, in order, and never fails as a whole.
type BaseResolver interface {
	Resolve(ctx context.Context, reqs []registry.Request) []registry.Result
}

// UnknownRuleError is returned by New for a rule name given on the command line
// that designates no rule.
type UnknownRuleError struct {
	Name    string
	Suggest string
}

func (e *UnknownRuleError) Error() string {
	msg := fmt.Sprintf("unknown rule %q", e.Name)
	if e.Suggest != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", e.Suggest)
	}
	return msg + "; `dockvet rules` lists them"
}

// Engine holds the resolved rule set; it is safe for concurrent use.
type Engine struct {
	all      []*rule.Rule
	byKey    map[string]*rule.Rule
	severity map[*rule.Rule]finding.Severity // enabled rules only
	// configFindings report unknown rule names in config files.
	configFindings []finding.Finding
	// bases is nil unless an enabled rule needs base images (rule.NeedsBase):
	// lookups start only then.
	bases BaseResolver
	// ignored are the rules the configuration turns off (not merely off
	// by default): a file cannot opt them in (rule.OptIn).
	ignored map[*rule.Rule]bool
	// stageBases is set when an enabled rule reads builder stages' bases
	// too (rule.NeedsStageBases), not only the final image's.
	stageBases bool
	// pinRefs is set by lint --pin: COPY --from and RUN --mount=from images
	// are looked up too, for their digests.
	pinRefs bool
	// readsContext is set when an enabled rule reads the build context
	// (rule.ReadsContext), optInReaders lists those a file may turn on
	// (rule.OptIn): only for them is a context opened, and only for a file
	// that copies from it.
	readsContext bool
	optInReaders []*rule.Rule
	contexts     *contexts
	limits       rule.Limits
	// redact masks Settings.Secrets; nil when there are none.
	redact *strings.Replacer
	// repos gives each file its path below its repository (File.RepoName).
	repos repoPaths
}

// New resolves settings against the rules.
func New(rules []*rule.Rule, s Settings) (*Engine, error) {
	e := &Engine{all: rules, byKey: map[string]*rule.Rule{}, severity: map[*rule.Rule]finding.Severity{}, ignored: map[*rule.Rule]bool{},
		contexts: newContexts(s.Context), limits: s.Limits, redact: secretReplacer(s.Secrets)}
	for _, r := range rules {
		e.byKey[strings.ToLower(r.ID)] = r
		e.byKey[strings.ToLower(r.Name)] = r
		if !r.DefaultOff {
			e.severity[r] = r.Severity
		}
	}
	resolve := func(ref RuleRef) (*rule.Rule, error) {
		if r := e.Lookup(ref.Name); r != nil {
			return r, nil
		}
		if ref.File == "" {
			return nil, &UnknownRuleError{Name: ref.Name, Suggest: e.suggest(ref.Name)}
		}
		if s.InvalidSuppression != nil {
			msg := fmt.Sprintf("unknown rule %q in %s", ref.Name, ref.File)
			if sg := e.suggest(ref.Name); sg != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", sg)
			}
			p := source.Pos{Line: ref.Line, Col: max(ref.Column, 1)}
			e.configFindings = append(e.configFindings, finding.Finding{
				RuleID: s.InvalidSuppression.ID, RuleName: s.InvalidSuppression.Name,
				Severity: s.InvalidSuppression.Severity, File: ref.File,
				Range:   source.Range{Start: p, End: source.Pos{Line: p.Line, Col: p.Col + len(ref.Name)}},
				Message: msg,
			})
		}
		return nil, nil
	}
	for _, layer := range s.Layers {
		if err := e.apply(layer, resolve); err != nil {
			return nil, err
		}
	}
	// A config-file finding is subject to its rule being on.
	if s.InvalidSuppression != nil {
		if sev, on := e.severity[s.InvalidSuppression]; on {
			for i := range e.configFindings {
				e.configFindings[i].Severity = sev
			}
		} else {
			e.configFindings = nil
		}
	}
	for r := range e.severity {
		if (r.NeedsBase || r.NeedsStageBases) && r.Check != nil {
			e.bases = s.Bases
		}
		if r.NeedsStageBases && r.Check != nil {
			e.stageBases = true
		}
	}
	for _, r := range rules {
		if !r.ReadsContext || r.Check == nil {
			continue
		}
		if _, on := e.severity[r]; on {
			e.readsContext = true
		} else if r.DefaultOff && r.OptIn != nil && !e.ignored[r] {
			e.optInReaders = append(e.optInReaders, r)
		}
	}
	if s.Limits.PinDigests {
		// lint --pin: the tag rules' fixes read the digest of every image
		// reference (FROM, COPY --from, RUN --mount=from).
		e.bases, e.stageBases, e.pinRefs = s.Bases, true, true
	}
	return e, nil
}

func (e *Engine) apply(l Layer, resolve func(RuleRef) (*rule.Rule, error)) error {
	for _, ref := range l.Enable {
		r, err := resolve(ref)
		if err != nil {
			return err
		}
		if r != nil {
			e.severity[r] = r.Severity
			delete(e.ignored, r)
		}
	}
	for _, ref := range l.Ignore {
		r, err := resolve(ref)
		if err != nil {
			return err
		}
		delete(e.severity, r)
		if r != nil {
			e.ignored[r] = true
		}
	}
	for _, o := range l.Severity {
		r, err := resolve(o.Rule)
		if err != nil {
			return err
		}
		if r == nil {
			continue
		}
		if o.Level == finding.SeverityNone {
			delete(e.severity, r)
			e.ignored[r] = true
		} else if _, on := e.severity[r]; on {
			e.severity[r] = o.Level
		}
	}
	return nil
}

// Lookup finds a rule by id or name, case-insensitively.
func (e *Engine) Lookup(name string) *rule.Rule {
	return e.byKey[strings.ToLower(strings.TrimSpace(name))]
}

// Enabled reports whether the rule runs, and at which severity.
func (e *Engine) Enabled(r *rule.Rule) (finding.Severity, bool) {
	s, ok := e.severity[r]
	return s, ok
}

// ConfigFindings are findings about the settings themselves (unknown rule
// names in a config file).
func (e *Engine) ConfigFindings() []finding.Finding { return e.configFindings }

// suggest proposes the closest rule name for a typo. Rules are tried in
// their order (not the map's), so equally close names give the same answer
// on every run.
func (e *Engine) suggest(name string) string {
	name = strings.ToLower(name)
	best, bestDist := "", 4
	for _, r := range e.all {
		for _, key := range []string{strings.ToLower(r.ID), strings.ToLower(r.Name)} {
			if d := EditDistance(name, key); d < bestDist {
				best, bestDist = r.ID+" "+r.Name, d
			}
		}
	}
	return best
}

// EditDistance is the Levenshtein distance between a and b, in bytes.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Input is one Dockerfile to lint.
type Input struct {
	Name string // as printed
	// Src is the file's content. The results keep views of it (a
	// FileResult's Lines, LintContext's Sources, text quoted in findings):
	// it must not be modified afterwards (see dockerfile.Parse).
	Src []byte
	// Path is the file on disk ("" for stdin); it locates the default build
	// context and a Dockerfile-specific .dockerignore.
	Path string
}

// LintFile is LintFileContext without cancellation.
func (e *Engine) LintFile(in Input, opts dockerfile.Options) (fs []finding.Finding, f *dockerfile.File, err error) {
	return e.LintFileContext(context.Background(), in, opts)
}

// LintFileContext lints one Dockerfile. The error is for files that cannot
// be linted at all (a --target the file lacks, a rule that crashed);
// findings are returned sorted. Base-image lookups run under ctx
// (cancelling it makes them DV001's timeout) and, as with LintContext, none
// outlives the call.
func (e *Engine) LintFileContext(ctx context.Context, in Input, opts dockerfile.Options) (fs []finding.Finding, f *dockerfile.File, err error) {
	defer e.contexts.flush()
	return e.lintFile(ctx, in, opts)
}

func (e *Engine) lintFile(ctx context.Context, in Input, opts dockerfile.Options) (fs []finding.Finding, f *dockerfile.File, err error) {
	defer func() {
		// The front end is fuzzed and must not panic; if it does anyway, one
		// file's failure stays that file's error.
		if p := recover(); p != nil {
			fs, err = nil, fmt.Errorf("internal error parsing the file: %v (please report this with the Dockerfile)\n%s", p, debug.Stack())
		}
	}()
	f, err = dockerfile.Parse(in.Name, in.Src, opts)
	if err != nil {
		return nil, f, err
	}
	f.RepoName = e.repos.RepoPath(in.Name, in.Path)
	var bases rule.BaseLookup
	if e.bases != nil {
		ctx, cancel := context.WithCancel(ctx)
		broker := newBaseBroker(ctx, e.bases)
		defer func() {
			// Lookups no enabled rule waited for end here, not after
			// the call (the resolver's writes to its cache and counters
			// belong to this call).
			cancel()
			broker.wait()
		}()
		bases = broker.lookup(f, opts, e.stageBases, e.pinRefs)
	}
	fs, err = e.check(f, bases, e.contextFor(in, f))
	return fs, f, err
}

// contextFor returns the build context the rules of a parsed file see: nil,
// without touching the file system, unless an enabled rule reads the
// context and the file copies from it.
func (e *Engine) contextFor(in Input, f *dockerfile.File) *buildctx.Context {
	if e.contexts == nil || !e.contextRead(f) || !rule.CopiesFromContext(f) {
		return nil
	}
	return e.contexts.forInput(in)
}

// contextRead reports whether a rule that runs on f reads the context.
func (e *Engine) contextRead(f *dockerfile.File) bool {
	if e.readsContext {
		return true
	}
	for _, r := range e.optInReaders {
		if r.OptIn(f) {
			return true
		}
	}
	return false
}

// check runs the enabled rules on a parsed file.
func (e *Engine) check(f *dockerfile.File, bases rule.BaseLookup, bctx *buildctx.Context) (fs []finding.Finding, err error) {
	defer func() {
		if p := recover(); p != nil {
			fs, err = nil, fmt.Errorf("internal error: %v (please report this with the Dockerfile)\n%s", p, debug.Stack())
		}
	}()
	buf := findingBufs.Get().(*[]finding.Finding)
	c := &collector{e: e, sup: newSuppressions(f, e), file: f.Name, out: (*buf)[:0]}
	defer func() {
		if cap(c.out) <= maxPooledFindings {
			clear(c.out) // keep no message or fix of this file alive
			*buf = c.out[:0]
			findingBufs.Put(buf)
		}
	}()
	report, known := c.report, e.known // one of each for every rule of the file
	shared := rule.NewShared()
	// One Pass, refilled for each rule: a rule uses its Pass only while
	// its Check runs (analyses keep results, never the Pass).
	pass := new(rule.Pass)
	for _, r := range e.all {
		sev, on := e.severity[r]
		if !on && r.DefaultOff && r.OptIn != nil && !e.ignored[r] && r.OptIn(f) {
			sev, on = r.Severity, true
		}
		if !on || r.Check == nil {
			continue
		}
		c.rule, c.sev = r, sev
		if err := e.runRule(pass, r, f, bases, bctx, shared, known, report); err != nil {
			return nil, err
		}
	}
	var out []finding.Finding
	if len(c.out) > 0 {
		out = slices.Clone(c.out)
	}
	out = e.dropYielded(out)
	if len(f.Errors) > 0 {
		// lint --fix never changes a file BuildKit cannot parse, so no
		// finding of it offers a fix (the JSON and SARIF fixes are what
		// --fix applies).
		for i := range out {
			out[i].Fix = nil
		}
	}
	finding.Sort(out)
	return out, nil
}

// dropYielded removes the findings of rules that yield (rule.YieldsTo) to
// another rule's finding at the same position: one root cause, one finding.
func (e *Engine) dropYielded(fs []finding.Finding) []finding.Finding {
	type at struct {
		rule string
		pos  source.Pos
	}
	var reported map[at]bool
	for _, f := range fs {
		if r := e.byKey[strings.ToLower(f.RuleID)]; r != nil && len(r.YieldsTo) > 0 {
			reported = map[at]bool{}
			break
		}
	}
	if reported == nil {
		return fs
	}
	for _, f := range fs {
		reported[at{f.RuleID, f.Range.Start}] = true
	}
	return slices.DeleteFunc(fs, func(f finding.Finding) bool {
		r := e.byKey[strings.ToLower(f.RuleID)]
		for _, id := range r.YieldsTo {
			if reported[at{id, f.Range.Start}] {
				return true
			}
		}
		return false
	})
}

// runRule isolates a rule: a panic in one rule becomes an error for this file
// instead of taking down the whole run.
func (e *Engine) runRule(pass *rule.Pass, r *rule.Rule, f *dockerfile.File, bases rule.BaseLookup, bctx *buildctx.Context, shared *rule.Shared, known func(string) bool, report func(rule.Diagnostic)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error in rule %s %s: %v (please report this with the Dockerfile)\n%s", r.ID, r.Name, p, debug.Stack())
		}
	}()
	*pass = *rule.NewPass(r, f, known, report)
	pass.Bases = bases
	pass.Context = bctx
	pass.Limits = e.limits
	pass.Share(shared)
	r.Check(pass)
	return nil
}

// known tells rules whether a name designates a rule (rule.Pass.KnownRule).
func (e *Engine) known(name string) bool { return e.Lookup(name) != nil }

// findingBufs hold collectors' buffers: a file's findings are gathered in
// one and copied out at their exact size, so that growing the slice rule
// after rule leaves no garbage behind. A buffer that grew past
// maxPooledFindings (a pathological file) is dropped instead.
var findingBufs = sync.Pool{New: func() any { return new([]finding.Finding) }}

const maxPooledFindings = 4096

// collector gathers the findings of one file, rule after rule: its report
// method is every pass's, for the rule set before each Check.
type collector struct {
	e    *Engine
	sup  *suppressions
	file string
	rule *rule.Rule
	sev  finding.Severity
	out  []finding.Finding
}

func (c *collector) report(d rule.Diagnostic) {
	if c.sup.suppressed(c.rule, d.Range.Start.Line) {
		return
	}
	c.out = append(c.out, c.e.toFinding(c.rule, c.sev, c.file, d))
}

// secretReplacer replaces each secret by "***", longest first so that a
// secret containing another is masked whole; nil when there is nothing to
// mask.
func secretReplacer(secrets []string) *strings.Replacer {
	var vs []string
	for _, v := range secrets {
		if len(v) >= MinSecretLen && !slices.Contains(vs, v) {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	slices.SortFunc(vs, func(a, b string) int { return len(b) - len(a) })
	var pairs []string
	for _, v := range vs {
		pairs = append(pairs, v, "***")
	}
	return strings.NewReplacer(pairs...)
}

// shownLines are a file's lines as formats may print them (the line under a
// finding): credentials in a known format (what secret-in-image, DV303,
// finds, also split over a continuation, and a PEM key's body) keep at most
// their first 4 characters (a quarter of a short one) and are masked to the
// same length, so columns stay right; --build-arg secrets are masked too. A linter run in CI
// must not copy a leaked token into the build log.
func (e *Engine) shownLines(lines []string, escape byte) []string {
	var out []string
	for i, l := range lines {
		shown := e.redacted(l)
		if shown != l && out == nil {
			out = slices.Clone(lines[:i])
		}
		if out != nil {
			out = append(out, shown)
		}
	}
	if out == nil {
		out = lines
	}
	return secrets.MaskLines(out, escape)
}

// redacted returns s with the secrets masked.
func (e *Engine) redacted(s string) string {
	if e.redact == nil {
		return s
	}
	return e.redact.Replace(s)
}

// toFinding builds the finding the engine reports from a rule's diagnostic,
// the single place where rule text enters the output, so secrets are
// masked here.
func (e *Engine) toFinding(r *rule.Rule, sev finding.Severity, file string, d rule.Diagnostic) finding.Finding {
	if d.MaxSeverity != finding.SeverityNone && d.MaxSeverity < sev {
		sev = d.MaxSeverity
	}
	if d.MinSeverity > sev {
		sev = d.MinSeverity
	}
	related := make([]finding.Related, len(d.Related))
	for i, rel := range d.Related {
		if rel.File == "" {
			rel.File = file
		}
		rel.Message = e.redacted(rel.Message)
		related[i] = rel
	}
	if len(related) == 0 {
		related = nil
	}
	return finding.Finding{
		RuleID: r.ID, RuleName: r.Name, Severity: sev, File: file,
		Range: d.Range, Message: e.redacted(d.Message), Related: related, Fix: e.shownFix(d.Fix),
	}
}

// shownFix drops a fix whose text would print a credential (a known secret
// format, or a --build-arg secret): JSON and SARIF carry fixes verbatim
// into CI artifacts and code scanning, and a masked fix would be wrong.
func (e *Engine) shownFix(fx *finding.Fix) *finding.Fix {
	if fx == nil {
		return nil
	}
	for _, ed := range fx.Edits {
		if len(secrets.Find(ed.NewText)) > 0 || e.redacted(ed.NewText) != ed.NewText {
			return nil
		}
	}
	if len(secrets.Find(fx.Description)) > 0 || e.redacted(fx.Description) != fx.Description {
		return nil
	}
	return fx
}

// suppressions index a file's `# dockvet ignore=` and `# hadolint ignore=`
// comments.
type suppressions struct {
	global map[*rule.Rule]bool
	// byLine maps a physical line to the rules suppressed for the
	// instruction covering it.
	byLine map[int]map[*rule.Rule]bool
}

func newSuppressions(f *dockerfile.File, e *Engine) *suppressions {
	s := &suppressions{} // maps made on first use: most files have none
	for _, sp := range f.Suppressions {
		if sp.Problem != "" {
			continue
		}
		for _, name := range sp.Rules {
			s.add(sp, e.Lookup(name.Name))
		}
	}
	// hadolint's pragmas suppress the dockvet rules their codes map to;
	// codes with no existing equivalent suppress nothing, silently.
	for _, sp := range f.HadolintSuppressions {
		for _, code := range sp.Rules {
			for _, id := range hadolint.Targets(code.Name) {
				s.add(sp, e.Lookup(id))
			}
		}
	}
	return s
}

// add suppresses r (nil: an unknown rule, nothing) for the whole file or for
// the lines of the instruction sp applies to.
func (s *suppressions) add(sp *dockerfile.Suppression, r *rule.Rule) {
	switch {
	case r == nil:
	case sp.Global:
		if s.global == nil {
			s.global = map[*rule.Rule]bool{}
		}
		s.global[r] = true
	case sp.Instruction != nil:
		if s.byLine == nil {
			s.byLine = map[int]map[*rule.Rule]bool{}
		}
		for n := sp.Instruction.StartLine; n <= sp.Instruction.EndLine; n++ {
			if s.byLine[n] == nil {
				s.byLine[n] = map[*rule.Rule]bool{}
			}
			s.byLine[n][r] = true
		}
	}
}

func (s *suppressions) suppressed(r *rule.Rule, line int) bool {
	return s.global[r] || s.byLine[line][r]
}

// Lint is LintContext without cancellation.
func (e *Engine) Lint(inputs []Input, opts dockerfile.Options) *finding.Result {
	return e.LintContext(context.Background(), inputs, opts)
}

// LintContext lints many files concurrently and returns the combined
// result, with findings sorted and the source lines of every file that has
// findings. Options are shared by all files.
//
// With a base resolver and an enabled rule that needs base images, each
// file's final base image is requested as soon as the file is parsed; equal
// requests share one resolution (so 100 files on 5 bases make 5), and many
// files are in flight at once so that lookups overlap while memory stays
// bounded: a file is dropped as soon as it is checked. Every lookup runs
// under ctx: cancelling it ends them (they become DV001's timeout), and
// none outlives the call.
func (e *Engine) LintContext(ctx context.Context, inputs []Input, opts dockerfile.Options) *finding.Result {
	jobs := make([]Job, len(inputs))
	for i, in := range inputs {
		jobs[i] = Job{Engine: e, Input: in, Opts: opts}
	}
	res := &finding.Result{Files: len(inputs), Sources: map[string][]string{}}
	_ = Stream(ctx, jobs, func(i int, r FileResult) error {
		if r.Err != nil {
			res.Errors = append(res.Errors, *r.Err)
			return nil
		}
		res.Findings = append(res.Findings, r.Findings...)
		if r.Lines != nil {
			res.Sources[inputs[i].Name] = r.Lines
		}
		return nil
	})
	res.Findings = append(res.Findings, e.configFindings...)
	finding.Sort(res.Findings)
	sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].File < res.Errors[j].File })
	return res
}

// parse parses one file, turning a front-end panic into this file's error.
func (e *Engine) parse(in Input, opts dockerfile.Options) (f *dockerfile.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("internal error parsing the file: %v (please report this with the Dockerfile)\n%s", p, debug.Stack())
		}
	}()
	return dockerfile.Parse(in.Name, in.Src, opts)
}

// baseBroker resolves each distinct base-image request once per run, however
// many files ask for it and whenever they ask.
type baseBroker struct {
	ctx      context.Context // the run's: its deadline and cancellation
	resolver BaseResolver
	mu       sync.Mutex
	pending  map[registry.Request]*baseAnswer
	running  sync.WaitGroup
}

type baseAnswer struct {
	done chan struct{}
	res  registry.Result
}

func newBaseBroker(ctx context.Context, r BaseResolver) *baseBroker {
	return &baseBroker{ctx: ctx, resolver: r, pending: map[registry.Request]*baseAnswer{}}
}

// wait returns once every resolution the broker started has returned.
func (b *baseBroker) wait() { b.running.Wait() }

// get returns the answer for q, starting its resolution on first use.
func (b *baseBroker) get(q registry.Request) *baseAnswer {
	b.mu.Lock()
	defer b.mu.Unlock()
	if a, ok := b.pending[q]; ok {
		return a
	}
	a := &baseAnswer{done: make(chan struct{})}
	b.pending[q] = a
	b.running.Add(1)
	go func() {
		defer b.running.Done()
		defer close(a.done)
		defer func() {
			if p := recover(); p != nil {
				a.res = registry.Result{Err: fmt.Errorf("internal error resolving %s: %v", q.Ref, p)}
			}
		}()
		if rs := b.resolver.Resolve(b.ctx, []registry.Request{q}); len(rs) == 1 {
			a.res = rs[0]
		} else {
			a.res = registry.Result{Err: fmt.Errorf("resolving %s: no answer", q.Ref)}
		}
	}()
	return a
}

// lookup requests the base images of f's final image (the external image at
// the root of the final stage chain; builder stages do not ship), or of
// every stage when allStages is set, and returns the lookup its rules use.
func (b *baseBroker) lookup(f *dockerfile.File, opts dockerfile.Options, allStages, otherRefs bool) rule.BaseLookup {
	answers := map[*dockerfile.ImageRef]*baseAnswer{}
	stages := f.FinalChain()
	if allStages {
		stages = f.Stages
	}
	for _, s := range stages {
		ref := s.Base
		if s.Parent != nil || ref == nil || ref.Scratch || ref.Stage != nil || len(ref.Unresolved) > 0 || ref.Expanded == "" {
			continue
		}
		answers[ref] = b.get(registry.Request{Ref: ref.Expanded, Platform: s.BasePlatform(opts.Platform)})
	}
	if otherRefs {
		for _, ref := range f.ImageRefs {
			if ref.Kind != dockerfile.RefFrom && ref.IsImage() {
				answers[ref] = b.get(registry.Request{Ref: ref.Expanded, Platform: opts.Platform})
			}
		}
	}
	return func(ref *dockerfile.ImageRef) (*image.Image, error) {
		a, ok := answers[ref]
		if !ok {
			return nil, nil // not a base of the final image: never looked up
		}
		<-a.done
		return a.res.Image, a.res.Err
	}
}

// Failed reports whether any finding is at or above the threshold; a
// threshold of SeverityNone never fails.
func Failed(fs []finding.Finding, threshold finding.Severity) bool {
	if threshold == finding.SeverityNone {
		return false
	}
	for _, f := range fs {
		if f.Severity >= threshold {
			return true
		}
	}
	return false
}

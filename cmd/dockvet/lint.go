package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/discover"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/report"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/safefile"
	"github.com/dockvet/dockvet/rules"
)

// maxFileSize bounds what we read: no real Dockerfile comes close, and a huge
// file given by mistake must not exhaust memory.
const maxFileSize = 16 << 20

// lintFlags are the command-line settings of `dockvet lint`.
type lintFlags struct {
	format        string
	failOn        string
	configPath    string
	ignore        []string
	enable        []string
	severity      []string
	target        string
	buildArgs     []string
	platform      string
	registry      registryFlags
	color         string
	stdinFilename string
	context       string
	layers        bool // --layers: print layer tables (layers.go)
	fixes         fixFlags
}

func (e *env) lintCommand() *cobra.Command {
	var fl lintFlags
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Lint Dockerfiles (files or directories; default \".\"; \"-\" reads stdin)",
		Long: `Lint Dockerfiles. A directory is searched recursively (skipping .git,
node_modules and vendor) for Dockerfile and Containerfile (any case),
Dockerfile.*, Dockerfile-*, Dockerfile_*, Containerfile.*, *.Dockerfile,
*.dockerfile, *.Containerfile and *.containerfile, never *.dockerignore; a
symbolic link is followed only to a Dockerfile-named regular file inside the
directory, not under .git, node_modules or vendor. A directory given
explicitly that holds no Dockerfile is an error. A file named explicitly is
linted whatever its name; a path named explicitly that is or goes through a
symbolic link is followed only inside the working directory (else exit 2);
"-" reads standard input.

The build context (for the sizes of COPY and ADD: DV101, DV410, DV411,
DV412) is --context DIR, or by default each Dockerfile's own directory; it is
read as BuildKit sends it, honouring .dockerignore (or
<Dockerfile>.dockerignore). A Dockerfile on stdin has no context unless
--context names one.

Each Dockerfile uses the .dockvet.yaml nearest to it (its directory, then its
parents up to the repository root), so a monorepo can keep one per service;
stdin uses the working directory's. --config forces one file for all; flags
override the file. Rule lists in flags accept commas (--ignore DV100,DV203).`,
		Example: `  dockvet lint
  dockvet lint services/api/Dockerfile --target runtime
  dockvet lint -f gnu --fail-on error .
  cat Dockerfile | dockvet lint - --stdin-filename Dockerfile`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.lint(cmd, args, &fl)
		},
	}
	f := cmd.Flags()
	addOutputFlags(cmd, &fl)
	f.StringVar(&fl.target, "target", "", "stage whose image ships (default: the last stage)")
	f.Var(newStringsFlag(&fl.buildArgs), "build-arg", "value for ARG expansion, KEY=VALUE, or KEY to take it from the environment (repeatable)")
	f.StringVar(&fl.platform, "platform", "", "target platform (default linux/amd64)")
	addRegistryFlags(f, &fl.registry)
	addFixFlags(f, &fl.fixes)
	f.StringVar(&fl.stdinFilename, "stdin-filename", "", "name to print for a Dockerfile read from stdin")
	f.StringVar(&fl.context, "context", "", "build context directory of every Dockerfile (default: each Dockerfile's directory; none for stdin)")
	f.BoolVar(&fl.layers, "layers", false, "print the layers of each final image (the base image, COPY and ADD measured in the build context, RUN unknown) "+layersFlagHelp)
	return cmd
}

func (e *env) lint(cmd *cobra.Command, args []string, fl *lintFlags) error {
	// The working directory's config (or --config) validates the flags
	// before anything is read, and applies to stdin.
	format, cfg, settings, err := prepare(fl, e.stderr)
	if err != nil {
		return err
	}
	color, err := e.useColor(fl.color)
	if err != nil {
		return err
	}

	stdinName := fl.stdinFilename
	if stdinName == "" {
		stdinName = "<stdin>"
	}
	found := discover.Files(args, stdinName)
	e.warnSkipped(found.Skipped)
	// Files are read when their turn comes (so a run holds only the files
	// in flight), except stdin, and except with --layers, which reads each
	// file again after the run.
	// Fixes rewrite whole files, checked against what was read: they are
	// read up front too.
	inputs, readErrs := e.readInputs(found.Files, fl.layers || fl.fixes.any())

	groups, err := groupByConfig(inputs, cfg, settings, fl, e.stderr)
	if err != nil {
		return err
	}
	if err := fixSettings(fl, groups); err != nil {
		return err
	}
	resolvers := map[string]*registry.Resolver{}
	if fl.fixes.any() {
		return e.lintAndFix(cmd.Context(), format, fl, color, groups, resolvers, append(found.Errors, readErrs...))
	}
	engines := make([]*engine.Engine, len(groups))
	for i, g := range groups {
		if err := e.groupEngine(g, fl, resolvers); err != nil {
			return err
		}
		engines[i] = g.engine
	}
	// With --layers the tables come first (text: on stdout), so the
	// findings are held until they are written.
	out := e.stdout
	var held bytes.Buffer
	if fl.layers {
		out = &held
	}
	stream, err := report.NewStream(fl.format, out, e.reportOptions(fl.format, color, false, engines...))
	if err != nil {
		return usageErrorf("%v", err)
	}
	run, err := e.streamLint(cmd.Context(), groups, found.Files, stream, report.ReadsSources(fl.format), fl.layers)
	if err != nil {
		return &codeError{code: exitError, err: fmt.Errorf("writing output: %w", err)}
	}
	e.reportOfflineMisses(slices.Collect(maps.Values(resolvers)), &fl.registry)
	if fl.layers {
		for _, g := range groups {
			if err := e.lintLayers(g.engine, g.inputs, g.settings, g.recorder, fl); err != nil {
				return err
			}
		}
	}
	for _, err := range append(found.Errors, readErrs...) {
		run.errors = append(run.errors, fileError(err))
	}
	sort.SliceStable(run.errors, func(i, j int) bool { return run.errors[i].File < run.errors[j].File })
	if err := stream.Close(run.errors, run.files); err != nil {
		return &codeError{code: exitError, err: fmt.Errorf("writing output: %w", err)}
	}
	if fl.layers {
		if _, err := e.stdout.Write(held.Bytes()); err != nil {
			return &codeError{code: exitError, err: fmt.Errorf("writing output: %w", err)}
		}
	}
	return e.setExit(fl.format, run.errors, run.failed)
}

// lintAndFix is lint with --fix or --diff: each group is linted whole (a fix
// needs all of a file's findings), its fixes applied or diffed, and the
// report and exit code are those of what remains.
func (e *env) lintAndFix(ctx context.Context, format report.Formatter, fl *lintFlags, color bool, groups []*configGroup, resolvers map[string]*registry.Resolver, errs []error) error {
	res := &finding.Result{Sources: map[string][]string{}}
	failed := false
	fixes := &fixRun{byRule: map[string]int{}}
	engines := make([]*engine.Engine, len(groups))
	for i, g := range groups {
		if err := e.groupEngine(g, fl, resolvers); err != nil {
			return err
		}
		engines[i] = g.engine
		gres := g.engine.LintContext(ctx, g.inputs, g.settings.parse)
		e.applyFixes(ctx, g, gres, fl, fixes)
		mergeResult(res, gres)
		failed = failed || engine.Failed(gres.Findings, g.settings.failOn)
	}
	e.reportOfflineMisses(slices.Collect(maps.Values(resolvers)), &fl.registry)
	for _, err := range errs {
		res.Errors = append(res.Errors, fileError(err))
	}
	finding.Sort(res.Findings)
	sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].File < res.Errors[j].File })
	if err := e.finishFixes(fl, fixes, slices.Collect(maps.Values(resolvers))); err != nil {
		return err
	}
	formatName := fl.format
	if fl.fixes.diff {
		// stdout is the patch: the report would corrupt it.
		format, formatName = discardReport, "text"
	}
	return e.finishRun(format, formatName, e.reportOptions(formatName, color, false, engines...), res, failed)
}

// mergeResult adds one group's result to the run's; the caller sorts.
func mergeResult(dst, src *finding.Result) {
	dst.Findings = append(dst.Findings, src.Findings...)
	dst.Errors = append(dst.Errors, src.Errors...)
	dst.Files += src.Files
	maps.Copy(dst.Sources, src.Sources)
}

// lintRun is what a streamed lint run leaves once its findings are written.
type lintRun struct {
	errors []finding.FileError
	files  int  // files linted
	failed bool // a finding reached its own config's --fail-on
}

// streamLint lints every group's files in the order of their names (the
// order findings are printed in) and writes each file's findings to stream
// as soon as it and every file before it are done, with the config files'
// own findings (unknown rule names) in their places. A file's source lines
// are kept only when the stream prints them (withSources), and dropped once
// its findings are written. The groups' inputs are dropped too
// unless keepInputs (--layers reads them after the run). The error is the
// stream's.
func (e *env) streamLint(ctx context.Context, groups []*configGroup, files []discover.File, stream report.Stream, withSources, keepInputs bool) (*lintRun, error) {
	byPath := map[string]discover.File{}
	for _, f := range files {
		if !f.Stdin {
			byPath[f.Path] = f
		}
	}
	n := 0
	for _, g := range groups {
		n += len(g.inputs)
	}
	jobs := make([]engine.Job, 0, n)
	var cfgFindings []finding.Finding
	cfgFailOn := map[string]finding.Severity{}      // config file -> its group's --fail-on
	failOn := map[*engine.Engine]finding.Severity{} // a job's --fail-on, by its group's engine
	for _, g := range groups {
		failOn[g.engine] = g.settings.failOn
		for _, in := range g.inputs {
			j := engine.Job{Engine: g.engine, Input: in, Opts: g.settings.parse, SkipLines: !withSources}
			if in.Src == nil && in.Path != "" {
				f := byPath[in.Path]
				j.Read = func() ([]byte, error) {
					src, err := e.readInput(f)
					if err != nil {
						return nil, &discover.Error{Path: f.Path, Err: err}
					}
					return src, nil
				}
			}
			jobs = append(jobs, j)
		}
		for _, f := range g.engine.ConfigFindings() {
			cfgFindings = append(cfgFindings, f)
			cfgFailOn[f.File] = g.settings.failOn
		}
		if !keepInputs {
			g.inputs = nil // the jobs have them
		}
	}
	slices.SortStableFunc(jobs, func(a, b engine.Job) int { return strings.Compare(a.Input.Name, b.Input.Name) })
	finding.Sort(cfgFindings)
	run := &lintRun{}

	// The findings of one name (normally one file) wait in pending until a
	// result with another name comes.
	var (
		pending      []finding.Finding
		pendingName  string
		pendingLines []string
		open         bool
	)
	// writeConfigBefore writes the config findings of files named before
	// name (all of them when last).
	writeConfigBefore := func(name string, last bool) error {
		for len(cfgFindings) > 0 && (last || cfgFindings[0].File < name) {
			n := 1
			for n < len(cfgFindings) && cfgFindings[n].File == cfgFindings[0].File {
				n++
			}
			if err := stream.File(cfgFindings[:n], nil); err != nil {
				return err
			}
			run.failed = run.failed || engine.Failed(cfgFindings[:n], cfgFailOn[cfgFindings[0].File])
			cfgFindings = cfgFindings[n:]
		}
		return nil
	}
	flush := func() error {
		for len(cfgFindings) > 0 && cfgFindings[0].File == pendingName {
			run.failed = run.failed || engine.Failed(cfgFindings[:1], cfgFailOn[pendingName])
			pending = append(pending, cfgFindings[0])
			cfgFindings = cfgFindings[1:]
		}
		finding.Sort(pending)
		var err error
		if len(pending) > 0 {
			err = stream.File(pending, pendingLines)
		}
		pending, pendingLines, open = nil, nil, false
		return err
	}
	raiseGCFloor(len(jobs))
	err := engine.Stream(ctx, jobs, func(i int, r engine.FileResult) error {
		name := jobs[i].Input.Name
		if open && name != pendingName {
			if err := flush(); err != nil {
				return err
			}
		}
		if !open {
			if err := writeConfigBefore(name, false); err != nil {
				return err
			}
			pendingName, open = name, true
		}
		if r.ReadErr != nil { // not linted: not counted
			run.errors = append(run.errors, fileError(r.ReadErr))
			return nil //nolint:nilerr // the file's error is reported, the run goes on
		}
		switch {
		case r.Err != nil:
			run.errors = append(run.errors, *r.Err)
		default:
			pending = append(pending, r.Findings...)
			if r.Lines != nil {
				pendingLines = r.Lines
			}
			run.failed = run.failed || engine.Failed(r.Findings, failOn[jobs[i].Engine])
		}
		run.files++
		return nil
	})
	if err == nil && open {
		err = flush()
	}
	if err == nil {
		err = writeConfigBefore("", true)
	}
	return run, err
}

// configGroup is the Dockerfiles that share one config file, and the
// settings merged from it and the flags.
type configGroup struct {
	cfg      *config.Config
	settings *settings
	inputs   []engine.Input
	// engine and recorder are set by lintGroup, for --layers.
	engine   *engine.Engine
	recorder *recordingResolver
}

// groupByConfig assigns each input the config nearest to it: the first
// .dockvet.yaml in its directory or a parent, up to the repository root
// (config.Find), so that a monorepo can keep one per service. --config forces
// wdCfg for all, and stdin always uses it (the working directory's). Groups
// come in the order of their first input; lookups are cached per directory.
func groupByConfig(inputs []engine.Input, wdCfg *config.Config, wdSettings *settings, fl *lintFlags, stderr io.Writer) ([]*configGroup, error) {
	first := &configGroup{cfg: wdCfg, settings: wdSettings}
	groups := []*configGroup{first}
	byConfig := map[string]*configGroup{configKey(wdCfg.Path): first}
	// directory -> its group, so that a directory's config is found, and
	// its path made absolute (a getwd), once, not once per file.
	byDir := map[string]*configGroup{}
	// Directories share parents: each is examined once.
	finder := config.NewFinder()
	wd, _ := finder.Abs(".")
	for _, in := range inputs {
		g := first
		if fl.configPath == "" && in.Path != "" {
			dir := filepath.Dir(in.Path)
			if g = byDir[dir]; g != nil {
				g.inputs = append(g.inputs, in)
				continue
			}
			if abs, err := finder.Abs(dir); err == nil && abs == wd {
				// The working directory's config is wdCfg (loadConfig
				// found it): do not look for it again.
				byDir[dir] = first
				first.inputs = append(first.inputs, in)
				continue
			}
			p, err := findConfig(finder, dir)
			if err != nil {
				return nil, &codeError{code: exitError, err: err}
			}
			if g = byConfig[configKey(p)]; g == nil {
				cfg := config.Default()
				if p != "" {
					var err error
					if cfg, err = loadFoundConfig(p, stderr); err != nil {
						return nil, &codeError{code: exitError, err: err}
					}
				}
				s, err := mergeSettings(cfg, fl)
				if err != nil {
					return nil, err
				}
				g = &configGroup{cfg: cfg, settings: s}
				byConfig[configKey(p)] = g
				groups = append(groups, g)
			}
			byDir[dir] = g
		}
		g.inputs = append(g.inputs, in)
	}
	// The working directory's group is linted even when empty when it is the
	// only one, so that a run with no readable file still reports.
	if len(first.inputs) == 0 && len(groups) > 1 {
		groups = groups[1:]
	}
	return groups, nil
}

// configKey identifies a config file however its path is spelled; "" is no
// file (the defaults).
func configKey(path string) string {
	if path == "" {
		return ""
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// groupEngine builds the engine of one group from its settings.
// Resolvers are shared between groups with the same registry settings, so a
// base image is looked up once per run.
func (e *env) groupEngine(g *configGroup, fl *lintFlags, resolvers map[string]*registry.Resolver) error {
	s := g.settings
	key := fmt.Sprint(g.cfg.Offline, g.cfg.InsecureRegistries, s.parse.Platform)
	resolver := resolvers[key]
	if resolver == nil {
		var err error
		if resolver, err = e.newResolver(g.cfg, &fl.registry, s.parse.Platform); err != nil {
			return err
		}
		resolvers[key] = resolver
	}
	s.rules.Bases = resolver
	var recorder *recordingResolver
	if fl.layers {
		recorder = &recordingResolver{BaseResolver: resolver}
		s.rules.Bases = recorder
	}
	if err := e.contextSettings(&s.rules, g.cfg, fl); err != nil {
		return err
	}
	eng, err := engine.New(rules.All(), s.rules)
	if err != nil {
		return usageErrorf("%v", err)
	}
	g.engine, g.recorder = eng, recorder
	return nil
}

func fileError(err error) finding.FileError {
	var de *discover.Error
	if errors.As(err, &de) {
		return finding.FileError{File: de.Path, Message: de.Error()}
	}
	var le *discover.LinkError
	if errors.As(err, &le) {
		return finding.FileError{File: le.Path, Message: le.Error()}
	}
	var nd *discover.NoDockerfileError
	if errors.As(err, &nd) {
		return finding.FileError{File: nd.Dir, Message: nd.Error()}
	}
	return finding.FileError{Message: err.Error()}
}

// warnSkipped tells, once each, which Dockerfile-named entries of the walked
// directories were left out (links out of the tree, FIFOs, devices): naming
// the link, never what it points at.
func (e *env) warnSkipped(skipped []discover.Skipped) {
	for _, s := range skipped {
		fmt.Fprintf(e.stderr, "dockvet: warning: skipping %s\n", report.Escape(s.String()))
	}
}

// readInputs lists the files to lint: stdin is read now (it can be read
// only once), the others only when eager (else streamLint reads each when
// its turn comes). Unreadable files become errors, not a crash.
func (e *env) readInputs(files []discover.File, eager bool) ([]engine.Input, []error) {
	var inputs []engine.Input
	var errs []error
	for _, f := range files {
		if !f.Stdin && !eager {
			inputs = append(inputs, engine.Input{Name: f.Path, Path: f.Path})
			continue
		}
		src, err := e.readInput(f)
		switch {
		case err != nil:
			errs = append(errs, &discover.Error{Path: f.Path, Err: err})
		case f.Stdin:
			inputs = append(inputs, engine.Input{Name: f.Path, Src: nonNil(src)})
		default:
			inputs = append(inputs, engine.Input{Name: f.Path, Src: nonNil(src), Path: f.Path})
			e.recordInputID(f.Path, f.ID)
		}
	}
	return inputs, errs
}

// nonNil keeps an empty file's source apart from one not read yet.
func nonNil(src []byte) []byte {
	if src == nil {
		return []byte{}
	}
	return src
}

// readInput reads at most maxFileSize+1 bytes, so that an oversized file is
// detected without being read whole. A named file must be a regular file (or
// a link to one): a FIFO, a device or a /proc file is refused, since the
// repository being linted may be hostile (a Dockerfile linked to
// /proc/self/environ would print the CI job's secrets). It must also still
// be the file discovery examined (f.ID), so that a link swapped after
// discovery's checks is not read. A file discovery found regular is not
// stat'ed again before it is opened (safefile.ReadExamined).
func (e *env) readInput(f discover.File) ([]byte, error) {
	switch {
	case f.Regular:
		return safefile.ReadExamined(f.Path, maxFileSize, f.ID)
	case !f.Stdin:
		return safefile.ReadFileSame(f.Path, maxFileSize, f.ID)
	}
	src, err := io.ReadAll(io.LimitReader(e.stdin, maxFileSize+1))
	if err == nil && len(src) > maxFileSize {
		err = &safefile.TooLargeError{Path: f.Path, Limit: maxFileSize}
	}
	return src, err
}

// contextSettings sets the build context and size limits of a lint run. An
// explicit --context that is not a directory is a usage error.
func (e *env) contextSettings(s *engine.Settings, cfg *config.Config, fl *lintFlags) error {
	if fl.context != "" {
		st, err := os.Stat(fl.context)
		if err != nil {
			return usageErrorf("--context: %v", err)
		}
		if !st.IsDir() {
			return usageErrorf("--context %s: not a directory", fl.context)
		}
	}
	s.Context = &engine.ContextSettings{
		Dir:  fl.context,
		Warn: func(msg string) { fmt.Fprintf(e.stderr, "dockvet: warning: %s\n", report.Escape(msg)) },
	}
	return nil
}

func (e *env) useColor(mode string) (bool, error) { return e.colorFor(mode, e.stdout) }

// colorFor decides color for output written to w: --color always or never,
// or with auto, when w is a terminal and NO_COLOR is not set.
func (e *env) colorFor(mode string, w io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto", "":
		if _, set := os.LookupEnv("NO_COLOR"); set || e.getenv("NO_COLOR") != "" {
			return false, nil
		}
		return e.isTerminal(w), nil
	}
	return false, usageErrorf("invalid --color %q (want auto, always or never)", mode)
}

// loadConfig reads --config, or the nearest .dockvet.yaml (else
// .hadolint.yaml, whose notes go to stderr).
func loadConfig(path string, stderr io.Writer) (*config.Config, error) {
	if path == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("finding .dockvet.yaml: %w", err)
		}
		if path, err = findConfig(nil, wd); err != nil {
			return nil, err
		}
		if path == "" {
			return config.Default(), nil
		}
		if rel, err := filepath.Rel(wd, path); err == nil {
			path = rel
		}
		return loadFoundConfig(path, stderr)
	}
	if config.IsHadolintFile(path) {
		return loadHadolintConfig(path, config.LoadHadolint, stderr)
	}
	return config.Load(path)
}

// settings are the config file and the flags merged.
type settings struct {
	rules  engine.Settings
	parse  dockerfile.Options
	failOn finding.Severity
}

// labelSchema passes the config's label schema to the rules.
func labelSchema(fields []config.LabelField) []rule.LabelField {
	if len(fields) == 0 {
		return nil
	}
	out := make([]rule.LabelField, len(fields))
	for i, f := range fields {
		out[i] = rule.LabelField{Name: f.Name, Type: f.Type}
	}
	return out
}

func mergeSettings(cfg *config.Config, fl *lintFlags) (*settings, error) {
	s := &settings{failOn: cfg.FailOn}
	if fl.failOn != "" {
		sev, err := finding.ParseSeverity(fl.failOn)
		if err != nil {
			return nil, usageErrorf("--fail-on: %v", err)
		}
		s.failOn = sev
	}
	fileLayer := engine.Layer{}
	ref := func(r config.RuleRef) engine.RuleRef {
		return engine.RuleRef{Name: r.Name, File: cfg.Path, Line: r.Line, Column: r.Column}
	}
	// The policy rules are off until their setting is given; giving it turns
	// them on (listed first, so the file's own ignore still wins).
	if len(cfg.TrustedRegistries) > 0 {
		fileLayer.Enable = append(fileLayer.Enable, engine.RuleRef{Name: rules.UntrustedRegistry.ID})
	}
	if len(cfg.LabelSchema) > 0 {
		fileLayer.Enable = append(fileLayer.Enable, engine.RuleRef{Name: rules.LabelSchema.ID})
	}
	for _, r := range cfg.Enable {
		fileLayer.Enable = append(fileLayer.Enable, ref(r))
	}
	for _, r := range cfg.Ignore {
		fileLayer.Ignore = append(fileLayer.Ignore, ref(r))
	}
	for _, o := range cfg.Severity {
		fileLayer.Severity = append(fileLayer.Severity, engine.Override{Rule: ref(o.Rule), Level: o.Level})
	}
	flagLayer := engine.Layer{}
	for _, n := range splitList(fl.enable) {
		flagLayer.Enable = append(flagLayer.Enable, engine.RuleRef{Name: n})
	}
	for _, n := range splitList(fl.ignore) {
		flagLayer.Ignore = append(flagLayer.Ignore, engine.RuleRef{Name: n})
	}
	for _, kv := range splitList(fl.severity) {
		name, level, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, usageErrorf("--severity %q: want RULE=LEVEL", kv)
		}
		sev, err := finding.ParseSeverity(level)
		if err != nil {
			return nil, usageErrorf("--severity %q: %v", kv, err)
		}
		flagLayer.Severity = append(flagLayer.Severity, engine.Override{Rule: engine.RuleRef{Name: name}, Level: sev})
	}
	s.rules = engine.Settings{
		Layers:             []engine.Layer{fileLayer, flagLayer},
		InvalidSuppression: rules.InvalidSuppression,
		Limits: rule.Limits{MaxLayerSize: cfg.MaxLayerSize, MaxImageSize: cfg.MaxImageSize, MaxWastedBytes: cfg.MaxWastedBytes,
			TrustedRegistries: cfg.TrustedRegistries, LabelSchema: labelSchema(cfg.LabelSchema), StrictLabels: cfg.StrictLabels},
	}

	s.parse.Target = cfg.Target
	if fl.target != "" {
		s.parse.Target = fl.target
	}
	s.parse.Platform = cfg.Platform
	if fl.platform != "" {
		s.parse.Platform = fl.platform
	}
	if p := s.parse.Platform; p != "" && !validPlatform(p) {
		return nil, usageErrorf("invalid platform %q (want os/arch[/variant], e.g. linux/arm64)", p)
	}
	if len(fl.buildArgs) > 0 {
		s.parse.BuildArgs = map[string]string{}
		for _, kv := range fl.buildArgs {
			k, v, ok := strings.Cut(kv, "=")
			switch {
			case k == "":
				return nil, usageErrorf("--build-arg %q: want KEY=VALUE or KEY", kv)
			case ok:
				s.parse.BuildArgs[k] = v
			default:
				// As docker build does: a bare NAME takes its value from the
				// environment, and leaves the ARG unset (its default applies)
				// when the environment has none. Such a value is often a
				// secret (--build-arg NPM_TOKEN): no output shows it.
				if v, set := os.LookupEnv(k); set {
					s.parse.BuildArgs[k] = v
					s.rules.Secrets = append(s.rules.Secrets, v)
				}
			}
		}
	}
	return s, nil
}

// splitList splits the comma-separated values of a repeatable flag
// ("--ignore DV100,DV203 --ignore DV300"), dropping empty items.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

func validPlatform(p string) bool {
	parts := strings.Split(p, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for _, s := range parts {
		if s == "" {
			return false
		}
	}
	return true
}

// finish writes the result in the chosen format (file errors go to stderr,
// except in JSON, which carries them) and sets the exit code: 2 when a file
// or image could not be linted, 1 when a finding reaches the threshold.
func (e *env) finish(format report.Formatter, formatName string, opts report.Options, res *finding.Result, failOn finding.Severity) error {
	return e.finishRun(format, formatName, opts, res, engine.Failed(res.Findings, failOn))
}

// finishRun is finish with the threshold already applied: failed is whether
// a finding reached its own config's --fail-on.
func (e *env) finishRun(format report.Formatter, formatName string, opts report.Options, res *finding.Result, failed bool) error {
	if err := format(e.stdout, res, opts); err != nil {
		return &codeError{code: exitError, err: fmt.Errorf("writing output: %w", err)}
	}
	return e.setExit(formatName, res.Errors, failed)
}

// setExit prints the file errors on stderr for the formats that do not
// carry them and sets the exit code: 2 when a file or image could not be
// linted, 1 when a finding reached the threshold (failed).
func (e *env) setExit(formatName string, errs []finding.FileError, failed bool) error {
	if !report.CarriesErrors(formatName) {
		_ = report.WriteErrors(e.stderr, errs)
	}
	switch {
	case len(errs) > 0:
		e.exit = exitError
	case failed:
		e.exit = exitFindings
	}
	return nil
}

// addOutputFlags adds the flags lint and image share: format, threshold,
// config file, rule selection and color, with their completions.
func addOutputFlags(cmd *cobra.Command, fl *lintFlags) {
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", "text", "output format: "+strings.Join(report.Names(), ", "))
	f.StringVar(&fl.failOn, "fail-on", "", "lowest severity that makes the exit code 1: error, warning, info, none (default warning)")
	f.StringVar(&fl.configPath, "config", "", "config file, .dockvet.yaml or .hadolint.yaml (default: the nearest .dockvet.yaml, else .hadolint.yaml, per Dockerfile)")
	f.Var(newStringsFlag(&fl.ignore), "ignore", "disable rules, by id or name (repeatable or comma-separated)")
	f.Var(newStringsFlag(&fl.enable), "enable", "enable rules that are off by default (repeatable or comma-separated)")
	f.Var(newStringsFlag(&fl.severity), "severity", "override a rule's severity, RULE=error|warning|info|none (repeatable or comma-separated)")
	f.StringVar(&fl.color, "color", "auto", "color output: auto, always, never")
	completeValues(cmd, "format", report.Names()...)
	completeValues(cmd, "fail-on", "error", "warning", "info", "none")
	completeValues(cmd, "color", "auto", "always", "never")
	completeRules(cmd, "ignore", "enable", "severity")
}

// prepare reads the config and merges it with the flags: what lint and image
// need before they differ.
func prepare(fl *lintFlags, stderr io.Writer) (report.Formatter, *config.Config, *settings, error) {
	format, err := report.Lookup(fl.format)
	if err != nil {
		return nil, nil, nil, usageErrorf("%v", err)
	}
	cfg, err := loadConfig(fl.configPath, stderr)
	if err != nil {
		return nil, nil, nil, &codeError{code: exitError, err: err}
	}
	settings, err := mergeSettings(cfg, fl)
	if err != nil {
		return nil, nil, nil, err
	}
	return format, cfg, settings, nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/dockvet/dockvet/internal/bkcheck"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/rules"
)

// fakeBases answers dockvet's base-image lookups with the same fake base
// the oracle gives BuildKit, so base-dependent checks compare like for
// like.
type fakeBases struct{ base BaseConfig }

func (r fakeBases) Resolve(_ context.Context, reqs []registry.Request) []registry.Result {
	out := make([]registry.Result, len(reqs))
	for i, q := range reqs {
		osName, arch, variant := targetPlatform.OS, targetPlatform.Architecture, ""
		if q.Platform != "" {
			parts := strings.Split(q.Platform, "/")
			osName = parts[0]
			if len(parts) > 1 {
				arch = parts[1]
			}
			if len(parts) > 2 {
				variant = parts[2]
			}
		}
		if r.base.OS != "" {
			osName = r.base.OS
		}
		if r.base.Architecture != "" {
			arch, variant = r.base.Architecture, r.base.Variant
		}
		out[i].Image = &image.Image{
			Ref: q.Ref, OS: osName, Architecture: arch, Variant: variant,
			Env: slices.Clone(r.base.Env), Shell: slices.Clone(r.base.Shell),
		}
	}
	return out
}

type key struct {
	rule string
	line int
}

// fileResult is one file's comparison.
type fileResult struct {
	file     string
	verdict  Verdict
	lintErr  string       // dockvet could not lint the file
	oracle   map[key]int  // BuildKit's (check, line) pairs, with counts
	dockvet  map[key]int  // dockvet's BuildKit-check findings
	aliased  map[key]int  // dockvet findings under another id (sameFindingAs), by check
	missing  map[key]int  // oracle has, dockvet lacks
	extra    map[key]int  // dockvet has, oracle lacks
	afterErr map[key]bool // extra at or after BuildKit's hard error
}

// Report is the comparison over many files.
type Report struct {
	Files   []*fileResult
	HasRule map[string]bool // the BuildKit checks dockvet has a rule for
	// Skipped are the case files listed in known-gaps.txt, with the reason.
	Skipped []string
}

// Compare lints each file with BuildKit's linter and with dockvet's engine
// (in process, all default rules, the same fake base) and compares the
// (check, start line) pairs.
func Compare(ctx context.Context, files []string, flagBase *BaseConfig, contextDir string) (*Report, error) {
	engines := map[string]*engine.Engine{} // by base JSON path ("" = flag/default)
	rep := &Report{HasRule: map[string]bool{}}
	for _, r := range rules.All() {
		if IsCheck(r.ID) {
			rep.HasRule[r.ID] = true
		}
	}
	files, err := expandDirs(files)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if why := knownGap(f); why != "" {
			rep.Skipped = append(rep.Skipped, f+": "+why)
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		basePath := CaseBase(f)
		base, err := baseFor(f, flagBase)
		if err != nil {
			return nil, err
		}
		eng := engines[basePath]
		if eng == nil {
			s := engine.Settings{Bases: fakeBases{base: base}}
			s.Context = &engine.ContextSettings{Dir: contextDir}
			if eng, err = engine.New(rules.All(), s); err != nil {
				return nil, err
			}
			engines[basePath] = eng
		}
		fr := &fileResult{file: f, verdict: Lint(ctx, f, src, base),
			oracle: map[key]int{}, dockvet: map[key]int{}, aliased: map[key]int{},
			missing: map[key]int{}, extra: map[key]int{}, afterErr: map[key]bool{}}
		// BuildKit repeats a warning for every word that repeats the
		// cause (UndefinedVar for ${APP_ROOT} used three times in one ENV);
		// dockvet reports it once: count identical warnings once.
		seen := map[Warning]bool{}
		for _, w := range fr.verdict.Warnings {
			if !seen[w] {
				seen[w] = true
				fr.oracle[key{w.Rule, w.Line}]++
			}
		}
		// A case's hand-written verdicts (checks the oracle cannot run).
		kept, err := keptLines(strings.TrimSuffix(f, ".Dockerfile") + ".want")
		if err != nil {
			return nil, err
		}
		for _, l := range kept {
			rule, line, _ := strings.Cut(l, ":")
			n, _ := strconv.Atoi(line)
			fr.oracle[key{rule, n}]++
		}
		path, cleanup, err := caseContext(f, src)
		if err != nil {
			return nil, err
		}
		fs, parsed, err := eng.LintFileContext(ctx, engine.Input{Name: f, Src: src, Path: path},
			dockerfile.Options{Platform: targetPlatform.OS + "/" + targetPlatform.Architecture})
		cleanup()
		if err != nil {
			fr.lintErr = err.Error()
		}
		fr.compare(fs, buildkitLine(parsed))
		rep.Files = append(rep.Files, fr)
	}
	return rep, nil
}

// knownGap returns why a case file is listed in the known-gaps.txt of the
// directory above it (rules/testdata/buildkit), "" when it is not.
func knownGap(file string) string {
	if !strings.HasSuffix(file, ".Dockerfile") {
		return ""
	}
	check := filepath.Dir(file)
	dt, err := os.ReadFile(filepath.Join(filepath.Dir(check), "known-gaps.txt"))
	if err != nil {
		return ""
	}
	name := filepath.Base(check) + "/" + strings.TrimSuffix(filepath.Base(file), ".Dockerfile")
	for line := range strings.Lines(string(dt)) {
		if n, why, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && n == name {
			return strings.TrimSpace(why)
		}
	}
	return ""
}

// expandDirs replaces each directory by the case files (*.Dockerfile) under
// it, in lexical order.
func expandDirs(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".Dockerfile") {
				out = append(out, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// caseContext returns the path dockvet should lint a file as. A case with
// a <case>.dockerignore is linted as Dockerfile in a fresh directory that
// holds it as .dockerignore (BuildKit's test layout); cleanup removes it.
func caseContext(file string, src []byte) (path string, cleanup func(), err error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", nil, err
	}
	ignore, err := os.ReadFile(strings.TrimSuffix(file, ".Dockerfile") + ".dockerignore")
	if !strings.HasSuffix(file, ".Dockerfile") || os.IsNotExist(err) {
		return abs, func() {}, nil
	}
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "bkoracle-case-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { _ = os.RemoveAll(dir) }
	path = filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		cleanup()
		return "", nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), ignore, 0o644); err != nil {
		cleanup()
		return "", nil, err
	}
	return path, cleanup, nil
}

// buildkitLine is bkcheck.ReportedLine for one parsed file.
func buildkitLine(f *dockerfile.File) func(check string, line int) int {
	return func(check string, line int) int { return bkcheck.ReportedLine(f, check, line) }
}

func (fr *fileResult) compare(fs []finding.Finding, lineOf func(check string, line int) int) {
	other := map[key]int{}
	for _, f := range fs {
		k := key{f.RuleID, lineOf(f.RuleID, f.Range.Start.Line)}
		if IsCheck(f.RuleID) {
			fr.dockvet[k]++
		} else {
			other[k]++
		}
	}
	for k, n := range fr.oracle {
		have := fr.dockvet[k]
		for _, alias := range sameFindingAs[k.rule] {
			if have >= n {
				break
			}
			take := min(other[key{alias, k.line}], n-have)
			other[key{alias, k.line}] -= take
			fr.aliased[k] += take
			have += take
		}
		if have < n {
			fr.missing[k] = n - have
		}
	}
	for k, n := range fr.dockvet {
		if n > fr.oracle[k] {
			fr.extra[k] = n - fr.oracle[k]
			fr.afterErr[k] = fr.verdict.Stopped() && k.line >= fr.verdict.ErrorLine
		}
	}
}

// Missing is the number of BuildKit findings dockvet lacks.
func (r *Report) Missing() int {
	n := 0
	for _, f := range r.Files {
		for _, c := range f.missing {
			n += c
		}
	}
	return n
}

// Print writes the per-check table, then the files with missing and extra
// findings (each finding with -v, else up to 10 per check).
func (r *Report) Print(w io.Writer, verbose bool) {
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "skipped (known gap): %s\n", s)
	}
	type row struct{ oracle, oracleFiles, dockvet, aliased, missing, extra, extraAfterErr int }
	rows := map[string]*row{}
	for _, c := range Checks {
		rows[c] = &row{}
	}
	var errFiles, panicFiles, lintErrFiles int
	for _, f := range r.Files {
		if f.verdict.Stopped() && f.verdict.Panic == "" {
			errFiles++
		}
		if f.verdict.Panic != "" {
			panicFiles++
		}
		if f.lintErr != "" {
			lintErrFiles++
		}
		seen := map[string]bool{}
		for k, n := range f.oracle {
			rows[k.rule].oracle += n
			if !seen[k.rule] {
				rows[k.rule].oracleFiles++
				seen[k.rule] = true
			}
		}
		for k, n := range f.dockvet {
			rows[k.rule].dockvet += n
		}
		for k, n := range f.aliased {
			rows[k.rule].aliased += n
		}
		for k, n := range f.missing {
			rows[k.rule].missing += n
		}
		for k, n := range f.extra {
			if f.afterErr[k] {
				rows[k.rule].extraAfterErr += n
			} else {
				rows[k.rule].extra += n
			}
		}
	}
	fmt.Fprintf(w, "files: %d; BuildKit stopped at a hard error in %d, panicked in %d; dockvet could not lint %d\n\n",
		len(r.Files), errFiles, panicFiles, lintErrFiles)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "check\tbuildkit\tfiles\tdockvet\tas DV30x\tmissing\textra\textra after error\t")
	var total row
	for _, c := range Checks {
		x := rows[c]
		name := c
		if !r.HasRule[c] {
			name += " (no rule yet)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", name, x.oracle, x.oracleFiles, x.dockvet, x.aliased, x.missing, x.extra, x.extraAfterErr)
		total.oracle += x.oracle
		total.oracleFiles += x.oracleFiles
		total.dockvet += x.dockvet
		total.aliased += x.aliased
		total.missing += x.missing
		total.extra += x.extra
		total.extraAfterErr += x.extraAfterErr
	}
	fmt.Fprintf(tw, "total\t%d\t\t%d\t%d\t%d\t%d\t%d\t\n", total.oracle, total.dockvet, total.aliased, total.missing, total.extra, total.extraAfterErr)
	_ = tw.Flush()
	r.list(w, "missing (BuildKit reports, dockvet does not)", verbose, func(f *fileResult) map[key]int { return f.missing }, nil)
	r.list(w, "extra (dockvet reports, BuildKit does not)", verbose, func(f *fileResult) map[key]int { return f.extra },
		func(f *fileResult, k key) string {
			if f.afterErr[k] {
				return fmt.Sprintf(" (after BuildKit's error at line %d: %s)", f.verdict.ErrorLine, firstLine(f.verdict.Error+f.verdict.Panic))
			}
			return ""
		})
	var errs []string
	for _, f := range r.Files {
		if f.verdict.Panic != "" {
			errs = append(errs, fmt.Sprintf("%s: BuildKit panicked: %s", f.file, firstLine(f.verdict.Panic)))
		}
		if f.lintErr != "" {
			errs = append(errs, fmt.Sprintf("%s: dockvet: %s", f.file, firstLine(f.lintErr)))
		}
	}
	if len(errs) > 0 {
		fmt.Fprintln(w, "\nfailures:")
		for _, e := range errs {
			fmt.Fprintln(w, "  "+e)
		}
	}
}

func (r *Report) list(w io.Writer, title string, verbose bool, pick func(*fileResult) map[key]int, note func(*fileResult, key) string) {
	byCheck := map[string][]string{}
	for _, f := range r.Files {
		keys := make([]key, 0, len(pick(f)))
		for k := range pick(f) {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b key) int {
			if a.line != b.line {
				return a.line - b.line
			}
			return strings.Compare(a.rule, b.rule)
		})
		for _, k := range keys {
			s := fmt.Sprintf("%s:%d", f.file, k.line)
			if n := pick(f)[k]; n > 1 {
				s += fmt.Sprintf(" (x%d)", n)
			}
			if note != nil {
				s += note(f, k)
			}
			byCheck[k.rule] = append(byCheck[k.rule], s)
		}
	}
	if len(byCheck) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, c := range Checks {
		items := byCheck[c]
		if len(items) == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s (%d):\n", c, len(items))
		shown := items
		if !verbose && len(shown) > 10 {
			shown = shown[:10]
		}
		for _, s := range shown {
			fmt.Fprintln(w, "    "+s)
		}
		if len(shown) < len(items) {
			fmt.Fprintf(w, "    ... %d more (-v lists all)\n", len(items)-len(shown))
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

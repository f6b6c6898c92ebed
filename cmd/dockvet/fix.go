package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/fix"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/report"
	"github.com/dockvet/dockvet/internal/safefile"
	"github.com/dockvet/dockvet/internal/secrets"
)

// fixFlags are lint's --fix, --diff and --pin.
type fixFlags struct {
	fix  bool // rewrite files in place
	diff bool // print a unified diff, write nothing
	pin  bool // also pin FROM images to their digests (DV200, DV201, DV203)
}

func (f fixFlags) any() bool { return f.fix || f.diff }

func addFixFlags(f *pflag.FlagSet, fl *fixFlags) {
	f.BoolVar(&fl.fix, "fix", false, "apply the safe fixes of the findings to the files, in place; the report and exit code are those of what remains")
	f.BoolVar(&fl.diff, "diff", false, "print the safe fixes as a unified diff (git apply, patch -p1) instead of the report; write nothing")
	f.BoolVar(&fl.pin, "pin", false, "with --fix or --diff: also pin each FROM image to the digest its tag resolves to now (through the registry and its cache; offline: cached digests only)")
}

// fixRun gathers what --fix and --diff did over all groups.
type fixRun struct {
	files   int // files changed (or that would be)
	byRule  map[string]int
	diffs   []fileDiff
	dropped int
}

type fileDiff struct {
	name     string
	old, new []byte
}

// applyFixes fixes the files of one linted group: each file with a fixable
// finding is fixed (fix.Run lints it again after each pass) and its findings
// in res become those of the fixed text. With --fix the file is written;
// a file that cannot be written is a file error (exit 2) and left intact.
func (e *env) applyFixes(ctx context.Context, g *configGroup, res *finding.Result, fl *lintFlags, run *fixRun) {
	fixable := map[string]bool{}
	for _, f := range res.Findings {
		if f.Fix != nil && len(f.Fix.Edits) > 0 {
			fixable[f.File] = true
		}
	}
	for _, in := range g.inputs {
		if !fixable[in.Name] {
			continue
		}
		if in.Path == "" && fl.fixes.fix {
			res.Errors = append(res.Errors, finding.FileError{File: in.Name, Message: "standard input cannot be fixed in place; use --diff"})
			continue
		}
		lint := func(src []byte) ([]finding.Finding, *dockerfile.File, error) {
			return g.engine.LintFileContext(ctx, engine.Input{Name: in.Name, Src: src, Path: in.Path}, g.settings.parse)
		}
		fr, err := fix.Run(in.Src, lint, nil)
		if err != nil {
			continue // the lint already reported this file's error
		}
		for _, d := range fr.Dropped {
			run.dropped++
			fmt.Fprintf(e.stderr, "dockvet: bug: the fix of %s at %s:%d was not applied: %s (please report this with the Dockerfile)\n",
				d.Finding.RuleID, report.Escape(in.Name), d.Finding.Range.Start.Line, report.Escape(d.Err.Error()))
		}
		if !fr.Changed() {
			continue
		}
		if fl.fixes.fix {
			if err := (fix.Writer{Wrap: e.fixWriterWrap}).WriteFile(in.Path, e.inputIDs[in.Path], in.Src, fr.Src); err != nil {
				res.Errors = append(res.Errors, finding.FileError{File: in.Name, Message: err.Error()})
				continue
			}
		}
		run.files++
		for _, c := range fix.CountByRule(fr.Fixed) {
			run.byRule[c.RuleID] += c.N
		}
		if fl.fixes.diff {
			run.diffs = append(run.diffs, fileDiff{name: in.Name, old: in.Src, new: fr.Src})
		}
		res.Findings = slices.DeleteFunc(res.Findings, func(f finding.Finding) bool { return f.File == in.Name })
		res.Findings = append(res.Findings, fr.Findings...)
		delete(res.Sources, in.Name)
		if len(fr.Findings) > 0 {
			res.Sources[in.Name] = fr.File.Lines
		}
	}
	finding.Sort(res.Findings)
}

// finishFixes prints the diffs (--diff) and says on stderr what was fixed
// and, with --pin, how many images an offline run could not pin.
func (e *env) finishFixes(fl *lintFlags, run *fixRun, resolvers []*registry.Resolver) error {
	if fl.fixes.pin {
		var misses int64
		for _, r := range resolvers {
			misses += r.Stats().OfflineMisses
		}
		if misses > 0 {
			fmt.Fprintf(e.stderr, "dockvet: --pin: %d image%s not pinned: offline, and its digest is not in the cache\n", misses, plural(int(misses)))
		}
	}
	for _, d := range run.diffs {
		name := diffName(d.name)
		if !plainDiffName(name) {
			// A tab, newline or quote in a name would let the patch header
			// name another file (git apply splits "--- a/x\ty" at the tab).
			fmt.Fprintf(e.stderr, "dockvet: --diff: %s not shown: its name holds characters a patch header cannot carry; use --fix\n", report.Escape(d.name))
			continue
		}
		var buf bytes.Buffer
		if err := fix.WriteDiff(&buf, name, d.old, d.new); err != nil {
			return &codeError{code: exitError, err: fmt.Errorf("writing output: %w", err)}
		}
		if len(secrets.Find(buf.String())) > 0 {
			// The hunk would copy a credential into the log or artifact
			// the patch goes to.
			fmt.Fprintf(e.stderr, "dockvet: --diff: %s not shown: the change is next to a credential; use --fix\n", report.Escape(d.name))
			continue
		}
		if _, err := e.stdout.Write(buf.Bytes()); err != nil {
			return &codeError{code: exitError, err: fmt.Errorf("writing output: %w", err)}
		}
	}
	verb := "fixed"
	if !fl.fixes.fix {
		verb = "would fix"
	}
	n := 0
	for _, c := range run.byRule {
		n += c
	}
	fmt.Fprintf(e.stderr, "dockvet: %s %d finding%s in %d file%s\n", verb, n, plural(n), run.files, plural(run.files))
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// diffName is the path a diff names: relative to the working directory
// when the file is under it, slash-separated, without "./" or a leading "/".
func diffName(name string) string {
	if filepath.IsAbs(name) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, name); err == nil && filepath.IsLocal(rel) {
				name = rel
			}
		}
	}
	// An absolute path outside it loses its leading slash: "a//etc/x"
	// would name nothing, "a/etc/x" applies from the root.
	return strings.TrimLeft(filepath.ToSlash(filepath.Clean(name)), "/")
}

// plainDiffName reports whether a path can stand in a patch header as is:
// valid UTF-8 without control characters, quotes or backslashes (which git
// would quote and patch may not read back).
func plainDiffName(name string) bool {
	if !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

// recordInputID remembers the file discovery examined, so that --fix
// refuses to write over a file replaced since.
func (e *env) recordInputID(path string, id safefile.FileID) {
	if e.inputIDs == nil {
		e.inputIDs = map[string]safefile.FileID{}
	}
	e.inputIDs[path] = id
}

// discardReport is the report of a --diff run: the diff is the output.
func discardReport(io.Writer, *finding.Result, report.Options) error { return nil }

// fixSettings checks the fix flags and turns on the digest pins of --pin in
// every group; --pin means nothing without --fix or --diff, and --diff's
// patch owns stdout.
func fixSettings(fl *lintFlags, groups []*configGroup) error {
	if fl.fixes.diff && fl.layers {
		return usageErrorf("--diff prints the patch on stdout: it cannot be combined with --layers")
	}
	if !fl.fixes.pin {
		return nil
	}
	if !fl.fixes.any() {
		return usageErrorf("--pin needs --fix or --diff")
	}
	for _, g := range groups {
		g.settings.rules.Limits.PinDigests = true
	}
	return nil
}

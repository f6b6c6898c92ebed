package engine

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/manifest"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
)

// ManifestNeedsImages reports whether an enabled manifest rule reads the
// configs of the images (rule.Rule.ManifestNeedsImages): only then are they
// looked up.
func (e *Engine) ManifestNeedsImages() bool {
	for r := range e.severity {
		if r.ManifestNeedsImages && r.CheckManifest != nil {
			return true
		}
	}
	return false
}

// LintManifests runs every enabled rule that judges manifests
// (rule.Rule.CheckManifest) on each workload of each file. images answers
// the image lookups (nil: not looked up). `# dockvet ignore=` comments
// above an image line suppress the findings about that image use; an
// unknown rule name there is reported by the rule given as invalid (DV002),
// if any and enabled. Findings are sorted; the sources of files with
// findings are their lines.
func (e *Engine) LintManifests(files []*manifest.File, images rule.ImageLookup, invalidSuppression *rule.Rule) *finding.Result {
	res := &finding.Result{Files: len(files), Sources: map[string][]string{}}
	for _, f := range files {
		fs, err := e.checkManifest(f, images, invalidSuppression)
		if err != nil {
			res.Errors = append(res.Errors, finding.FileError{File: f.Name, Message: e.redacted(err.Error())})
			continue
		}
		res.Findings = append(res.Findings, fs...)
		if len(fs) > 0 {
			res.Sources[f.Name] = e.shownLines(f.Lines, 0)
		}
	}
	res.Findings = append(res.Findings, e.configFindings...)
	finding.Sort(res.Findings)
	return res
}

// LintManifest runs the manifest rules on one file, or one document of a
// stream (dockvet manifests lints a stream a document at a time, so that it
// keeps only the findings): its findings, sorted. An error is a rule that
// failed on it.
func (e *Engine) LintManifest(f *manifest.File, images rule.ImageLookup, invalidSuppression *rule.Rule) ([]finding.Finding, error) {
	fs, err := e.checkManifest(f, images, invalidSuppression)
	if err != nil {
		return nil, errors.New(e.redacted(err.Error()))
	}
	return fs, nil
}

// ShownLine is one source line as formats may print it (see shownLines).
func (e *Engine) ShownLine(l string) string { return e.shownLines([]string{l}, 0)[0] }

func (e *Engine) checkManifest(f *manifest.File, images rule.ImageLookup, invalid *rule.Rule) ([]finding.Finding, error) {
	var out []finding.Finding
	suppressedAt := map[int]map[*rule.Rule]bool{}
	suppressed := func(r *rule.Rule, line int) bool {
		m, ok := suppressedAt[line]
		if !ok {
			m = map[*rule.Rule]bool{}
			for _, s := range f.Suppressed(line) {
				if sr := e.Lookup(s.Rule); sr != nil {
					m[sr] = true
				} else if sev, on := e.severity[invalid]; on && invalid != nil {
					at := source.Pos{Line: s.Line, Col: s.Col}
					out = append(out, finding.Finding{
						RuleID: invalid.ID, RuleName: invalid.Name, Severity: sev, File: f.Name,
						Range:   source.Range{Start: at, End: source.Pos{Line: at.Line, Col: at.Col + len(s.Rule)}},
						Message: fmt.Sprintf("unknown rule %q in a dockvet ignore comment", s.Rule),
					})
				}
			}
			suppressedAt[line] = m
		}
		return m[r]
	}
	// Every image line's comments are read, so that an unknown rule name
	// is reported even where no finding would have been suppressed.
	for _, w := range f.Workloads {
		imgs := w.Images()
		for i := range imgs {
			suppressed(nil, imgs[i].Range.Start.Line)
		}
	}
	for _, w := range f.Workloads {
		for _, r := range e.all {
			sev, on := e.severity[r]
			if !on || r.CheckManifest == nil {
				continue
			}
			err := runManifestRule(r, f, w, images, e.limits, func(at *manifest.ImageUse, d rule.Diagnostic) {
				if at != nil && suppressed(r, at.Range.Start.Line) {
					return
				}
				out = append(out, e.toFinding(r, sev, f.Name, d))
			})
			if err != nil {
				return nil, err
			}
		}
	}
	finding.Sort(out)
	return out, nil
}

// runManifestRule isolates a rule as runRule does: a panic becomes the
// file's error.
func runManifestRule(r *rule.Rule, f *manifest.File, w *manifest.Workload, images rule.ImageLookup, limits rule.Limits, report func(*manifest.ImageUse, rule.Diagnostic)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error in rule %s %s on %s %s: %v (please report this with the manifest)\n%s", r.ID, r.Name, w.Kind, w.Name, p, debug.Stack())
		}
	}()
	pass := rule.NewManifestPass(r, f, w, images, report)
	pass.Limits = limits
	r.CheckManifest(pass)
	return nil
}

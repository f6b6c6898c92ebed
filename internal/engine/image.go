package engine

import (
	"fmt"
	"runtime/debug"
	"sort"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
)

// ImageInput is one built image to lint (dockvet image).
type ImageInput struct {
	// Name is the reference as the user wrote it; findings and errors
	// print it as their file.
	Name  string
	Image *image.Image
	// History is the image's history read as a Dockerfile (line i is
	// history entry i); nil when the image has no history.
	History *dockerfile.File
	// Lines are the history lines as shown in the text output (line i is
	// entry i).
	Lines []string
	// Err is why the image could not be loaded; it becomes a run error
	// (exit 2), like an unreadable Dockerfile.
	Err error
}

// LintImages runs every enabled rule that can judge a built image
// (rule.Rule.CheckImage) on each image. A finding's file is the image's
// Name and its line the history entry it is about (0: the config as a
// whole). Severity overrides apply as for Dockerfiles; there are no inline
// suppressions in an image. Findings are sorted; the sources of images with
// findings are their history lines.
func (e *Engine) LintImages(imgs []ImageInput) *finding.Result {
	res := &finding.Result{Files: len(imgs), Sources: map[string][]string{}}
	for _, in := range imgs {
		if in.Err == nil && in.Image == nil {
			in.Err = fmt.Errorf("no image")
		}
		if in.Err != nil {
			res.Errors = append(res.Errors, finding.FileError{File: in.Name, Message: e.redacted(in.Err.Error())})
			continue
		}
		fs, err := e.checkImage(in)
		if err != nil {
			res.Errors = append(res.Errors, finding.FileError{File: in.Name, Message: e.redacted(err.Error())})
			continue
		}
		res.Findings = append(res.Findings, fs...)
		if len(fs) > 0 && len(in.Lines) > 0 {
			res.Sources[in.Name] = e.shownLines(in.Lines, '\\')
		}
	}
	res.Findings = append(res.Findings, e.configFindings...)
	finding.Sort(res.Findings)
	sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].File < res.Errors[j].File })
	return res
}

// checkImage runs the enabled image rules on one image.
func (e *Engine) checkImage(in ImageInput) ([]finding.Finding, error) {
	var out []finding.Finding
	for _, r := range e.all {
		sev, on := e.severity[r]
		if !on || r.CheckImage == nil {
			continue
		}
		if err := runImageRule(r, in, e.limits, func(d rule.Diagnostic) {
			out = append(out, e.toFinding(r, sev, in.Name, d))
		}); err != nil {
			return nil, err
		}
	}
	finding.Sort(out)
	return out, nil
}

// runImageRule isolates a rule as runRule does: a panic becomes this
// image's error.
func runImageRule(r *rule.Rule, in ImageInput, limits rule.Limits, report func(rule.Diagnostic)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error in rule %s %s: %v (please report this with the output of `docker history --no-trunc` or the image config)\n%s", r.ID, r.Name, p, debug.Stack())
		}
	}()
	pass := rule.NewImagePass(r, in.Image, in.History, report)
	pass.Limits = limits
	r.CheckImage(pass)
	return nil
}

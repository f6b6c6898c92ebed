package fix

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
)

// MaxPasses bounds the lint-and-fix passes on one file: fixes left out of a
// pass by a conflict are applied in a later one, and a fix that keeps
// coming back cannot loop forever.
const MaxPasses = 5

// Linter lints one version of a file's text: its findings, and the model
// (whose Errors are syntax errors). engine.Engine.LintFileContext is one.
type Linter func(src []byte) ([]finding.Finding, *dockerfile.File, error)

// Dropped is a fix that Run refused because the file it made failed the
// safety check: a bug in the rule, to be reported.
type Dropped struct {
	Finding finding.Finding
	Err     error
}

// Result is what Run did to one file.
type Result struct {
	// Src is the fixed text (the original when nothing was fixed).
	Src []byte
	// Fixed are the findings whose fixes were applied, in the pass they
	// were applied in (their ranges are in that pass's text).
	Fixed []finding.Finding
	// Findings are those of the fixed text: what remains.
	Findings []finding.Finding
	// File is the model of the fixed text.
	File *dockerfile.File
	// Dropped are fixes refused by the safety check.
	Dropped []Dropped
	// Passes is the number of passes that applied something.
	Passes int
	// History is each such pass: the text before and after, and the
	// findings (located in Before) whose fixes it applied.
	History []Pass
	// SyntaxErrors is set when the file has syntax errors: it is never
	// changed then.
	SyntaxErrors bool
}

// Pass is one pass of Run that applied fixes.
type Pass struct {
	Before, After []byte
	Applied       []finding.Finding
}

// Changed reports whether Run changed the text.
func (r *Result) Changed() bool { return r.Passes > 0 }

// Run lints src, applies the fixes of its findings, and lints again until
// no fix applies (at most MaxPasses passes). keep chooses which findings'
// fixes to apply (nil: all). A file with syntax errors is left alone. Each
// pass is checked (checkSafe): when it fails, each fix of the pass is
// tried alone and those that fail alone are dropped.
func Run(src []byte, lint Linter, keep func(finding.Finding) bool) (*Result, error) {
	fs, f, err := lint(src)
	if err != nil {
		return nil, err
	}
	res := &Result{Src: src, Findings: fs, File: f}
	if f == nil || len(f.Errors) > 0 {
		res.SyntaxErrors = f != nil
		return res, nil
	}
	refused := map[string]bool{}
	for range MaxPasses {
		var cands []finding.Finding
		for _, fd := range res.Findings {
			if fd.Fix != nil && len(fd.Fix.Edits) > 0 && !refused[fixKey(fd)] && (keep == nil || keep(fd)) {
				cands = append(cands, fd)
			}
		}
		if len(cands) == 0 {
			break
		}
		out, applied := Apply(res.Src, cands)
		if len(applied) == 0 {
			break
		}
		nfs, nf, err := checkPass(res.Src, out, applied, lint)
		if err != nil {
			// Find the culprits: each fix alone.
			var good []finding.Finding
			for _, a := range applied {
				one, _ := Apply(res.Src, []finding.Finding{a})
				if _, _, err := checkPass(res.Src, one, []finding.Finding{a}, lint); err != nil {
					res.Dropped = append(res.Dropped, Dropped{Finding: a, Err: err})
					refused[fixKey(a)] = true
					continue
				}
				good = append(good, a)
			}
			if len(good) == 0 {
				continue
			}
			out, applied = Apply(res.Src, good)
			if nfs, nf, err = checkPass(res.Src, out, applied, lint); err != nil {
				// Safe alone, unsafe together: refuse them all rather
				// guess which pairing is at fault.
				for _, a := range applied {
					res.Dropped = append(res.Dropped, Dropped{Finding: a, Err: err})
					refused[fixKey(a)] = true
				}
				continue
			}
		}
		res.History = append(res.History, Pass{Before: res.Src, After: out, Applied: applied})
		res.Src, res.Findings, res.File = out, nfs, nf
		res.Fixed = append(res.Fixed, applied...)
		res.Passes++
	}
	return res, nil
}

// checkPass checks one pass's result and lints it; the error says why the
// pass is unsafe.
func checkPass(before, after []byte, applied []finding.Finding, lint Linter) ([]finding.Finding, *dockerfile.File, error) {
	if err := checkSafe(before, after, applied); err != nil {
		return nil, nil, err
	}
	fs, f, err := lint(after)
	if err != nil {
		return nil, nil, &UnsafeError{Reason: "cannot be linted: " + err.Error()}
	}
	if f == nil || len(f.Errors) > 0 {
		msg := "has a syntax error"
		if f != nil {
			msg += ": " + f.Errors[0].Message
		}
		return nil, nil, &UnsafeError{Reason: msg}
	}
	return fs, f, nil
}

// fixKey identifies a fix across passes by its rule and what it writes.
func fixKey(f finding.Finding) string {
	var sb strings.Builder
	sb.WriteString(f.RuleID)
	sb.WriteString("\x00")
	sb.WriteString(f.Fix.Description)
	for _, e := range f.Fix.Edits {
		fmt.Fprintf(&sb, "\x00%s", e.NewText)
	}
	return sb.String()
}

// IsUnsafe reports whether err is a safety-check failure.
func IsUnsafe(err error) bool {
	var u *UnsafeError
	return errors.As(err, &u)
}

// CountByRule counts fixed findings per rule id, in id order.
func CountByRule(fixed []finding.Finding) []RuleCount {
	m := map[string]int{}
	for _, f := range fixed {
		m[f.RuleID]++
	}
	out := make([]RuleCount, 0, len(m))
	for id, n := range m {
		out = append(out, RuleCount{RuleID: id, N: n})
	}
	slices.SortFunc(out, func(a, b RuleCount) int { return strings.Compare(a.RuleID, b.RuleID) })
	return out
}

// RuleCount is a number of fixes of one rule.
type RuleCount struct {
	RuleID string
	N      int
}

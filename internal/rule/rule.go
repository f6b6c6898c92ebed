// Package rule defines what a dockvet rule is and how it reports, in the manner of
// golang.org/x/tools/go/analysis: a rule is a value with an id, a name, a default
// severity, documentation and a Check function that inspects one parsed
// Dockerfile through a Pass. Rules never print, filter, sort or read files; the
// engine does all of that.
package rule

import (
	"fmt"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

// DocsBase is where the generated rule reference lives; each rule has an anchor.
const DocsBase = "https://github.com/dockvet/dockvet/blob/main/docs/rules.md"

// Rule is one check.
type Rule struct {
	ID       string           // stable public id, e.g. "DV100"; never renumbered
	Name     string           // kebab-case name, e.g. "volume-instruction"
	Severity finding.Severity // default severity
	// DefaultOff rules run only when enabled (--enable, config "enable").
	DefaultOff bool
	// Summary is one line for `dockvet rules`.
	Summary string
	// Doc explains why the rule exists and what to do about it (plain text, paragraphs
	// separated by blank lines). Bad and Good are Dockerfile snippets.
	Doc  string
	Bad  string
	Good string
	// Check inspects pass.File and reports through pass.
	Check func(pass *Pass)
}

// URL is the rule's documentation page.
func (r *Rule) URL() string {
	return DocsBase + "#" + strings.ToLower(r.ID) + "-" + r.Name
}

func (r *Rule) String() string { return r.ID + " " + r.Name }

// Diagnostic is what a rule reports: a place and a message; the engine adds the
// rule, the effective severity and the file.
type Diagnostic struct {
	Range   source.Range
	Message string
	// Related locations; an empty File means the file under analysis.
	Related []finding.Related
	Fix     *finding.Fix
}

// Pass is one rule's view of one Dockerfile.
type Pass struct {
	Rule *Rule
	File *dockerfile.File
	// KnownRule reports whether an id or name designates an existing rule. It is
	// how the suppression checks validate names without importing every rule.
	KnownRule func(idOrName string) bool

	report func(Diagnostic)
}

// NewPass is used by the engine (and tests) to run a rule.
func NewPass(r *Rule, f *dockerfile.File, known func(string) bool, report func(Diagnostic)) *Pass {
	return &Pass{Rule: r, File: f, KnownRule: known, report: report}
}

// Report records a diagnostic.
func (p *Pass) Report(d Diagnostic) { p.report(d) }

// Reportf records a diagnostic with a formatted message.
func (p *Pass) Reportf(r source.Range, format string, args ...any) {
	p.report(Diagnostic{Range: r, Message: fmt.Sprintf(format, args...)})
}

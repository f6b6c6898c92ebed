// Package finding defines what a lint run produces: located, ranked findings.
// It knows nothing about individual rules or output formats.
package finding

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/source"
)

// Severity ranks findings. The zero value is SeverityNone, used for "--fail-on none"
// and for rules that are switched off.
type Severity int

const (
	SeverityNone Severity = iota
	SeverityInfo
	SeverityWarning
	SeverityError
)

var severityNames = [...]string{"none", "info", "warning", "error"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts "error", "warning", "info" and "none" (also "off"),
// case-insensitively, plus the common short forms "warn" and "err".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error", "err":
		return SeverityError, nil
	case "warning", "warn":
		return SeverityWarning, nil
	case "info":
		return SeverityInfo, nil
	case "none", "off":
		return SeverityNone, nil
	}
	return SeverityNone, fmt.Errorf("invalid severity %q (want error, warning, info or none)", s)
}

// Related is a secondary location that explains a finding, such as the RUN
// that installed the packages a later RUN tries to clean up.
type Related struct {
	File    string
	Range   source.Range
	Message string
}

// Edit replaces the text in Range with NewText.
type Edit struct {
	Range   source.Range
	NewText string
}

// Fix is a suggested change that resolves a finding.
type Fix struct {
	Description string
	Edits       []Edit
}

// Finding is one problem found by one rule at one place.
type Finding struct {
	RuleID   string
	RuleName string
	Severity Severity
	File     string
	Range    source.Range
	Message  string
	Related  []Related
	Fix      *Fix
}

// Compare orders findings by file, line, column, rule id, then message, so that
// output is deterministic whatever order rules ran in.
func Compare(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Range.Start.Line, b.Range.Start.Line),
		cmp.Compare(a.Range.Start.Col, b.Range.Start.Col),
		cmp.Compare(a.RuleID, b.RuleID),
		cmp.Compare(a.Message, b.Message),
	)
}

// Sort sorts findings in place in Compare order.
func Sort(fs []Finding) { slices.SortStableFunc(fs, Compare) }

// FileError is a file that could not be linted at all (unreadable, a directory
// that cannot be walked). It is not a finding: it makes the exit code 2.
type FileError struct {
	File    string
	Message string
	// Line and Col locate the error in File when it has a place (invalid
	// YAML: the offending character); 0 when it has none.
	Line, Col int
}

// Result is everything one run produced, ready for a report format.
type Result struct {
	Findings []Finding
	Errors   []FileError
	// Files is the number of files that were linted (with or without findings).
	Files int
	// Sources maps a file name, as printed, to its lines, so that formats can
	// show the offending line. It may lack entries (stdin read elsewhere, images).
	Sources map[string][]string
}

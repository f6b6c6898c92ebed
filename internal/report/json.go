package report

import (
	"encoding/json"
	"io"

	"github.com/dockvet/dockvet/internal/finding"
)

// The json* types fix the documented wire shape independently of the Go types in
// package finding, so renaming a field there cannot silently change the output.
// Slices that the spec shows as arrays are never nil, so they never print as null.

type jsonReport struct {
	Version  int           `json:"version"`
	Findings []jsonFinding `json:"findings"`
	Errors   []jsonError   `json:"errors"`
}

type jsonFinding struct {
	Rule      string        `json:"rule"`
	Name      string        `json:"name"`
	Severity  string        `json:"severity"`
	File      string        `json:"file"`
	Line      int           `json:"line"`
	Column    int           `json:"column"`
	EndLine   int           `json:"endLine"`
	EndColumn int           `json:"endColumn"`
	Message   string        `json:"message"`
	Related   []jsonRelated `json:"related,omitempty"`
	Fix       *jsonFix      `json:"fix,omitempty"`
}

type jsonRelated struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

type jsonFix struct {
	Description string     `json:"description"`
	Edits       []jsonEdit `json:"edits"`
}

type jsonEdit struct {
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"endLine"`
	EndColumn int    `json:"endColumn"`
	NewText   string `json:"newText"`
}

type jsonError struct {
	File    string `json:"file"`
	Message string `json:"message"`
}

// jsonVersion changes only if a key is removed or changes meaning; added keys keep it.
const jsonVersion = 1

// writeJSON writes the whole result as one JSON document. encoding/json replaces
// invalid UTF-8 with U+FFFD, so the output is valid JSON whatever the messages hold.
func writeJSON(w io.Writer, res *finding.Result, _ Options) error {
	out := jsonReport{
		Version:  jsonVersion,
		Findings: make([]jsonFinding, 0, len(res.Findings)),
		Errors:   make([]jsonError, 0, len(res.Errors)),
	}
	for _, f := range res.Findings {
		out.Findings = append(out.Findings, toJSONFinding(f))
	}
	for _, e := range res.Errors {
		out.Errors = append(out.Errors, jsonError{File: e.File, Message: e.Message})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Messages quote shell and paths ("<none>", "a && b"); \u003c escapes would
	// only make them harder to read, and no consumer embeds this in HTML.
	enc.SetEscapeHTML(false)
	return enc.Encode(out) // Encode ends with the trailing newline
}

func toJSONFinding(f finding.Finding) jsonFinding {
	jf := jsonFinding{
		Rule:      f.RuleID,
		Name:      f.RuleName,
		Severity:  f.Severity.String(),
		File:      f.File,
		Line:      f.Range.Start.Line,
		Column:    f.Range.Start.Col,
		EndLine:   f.Range.End.Line,
		EndColumn: f.Range.End.Col,
		Message:   f.Message,
	}
	for _, r := range f.Related {
		jf.Related = append(jf.Related, jsonRelated{
			File: r.File, Line: r.Range.Start.Line, Column: r.Range.Start.Col, Message: r.Message,
		})
	}
	if f.Fix != nil {
		jf.Fix = &jsonFix{Description: f.Fix.Description, Edits: make([]jsonEdit, 0, len(f.Fix.Edits))}
		for _, e := range f.Fix.Edits {
			jf.Fix.Edits = append(jf.Fix.Edits, jsonEdit{
				Line: e.Range.Start.Line, Column: e.Range.Start.Col,
				EndLine: e.Range.End.Line, EndColumn: e.Range.End.Col,
				NewText: e.NewText,
			})
		}
	}
	return jf
}

package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
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
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// jsonVersion changes only if a key is removed or changes meaning; added keys keep it.
const jsonVersion = 1

// writeJSON writes the whole result as one JSON document. encoding/json replaces
// invalid UTF-8 with U+FFFD, so the output is valid JSON whatever the messages hold.
func writeJSON(w io.Writer, res *finding.Result, opts Options) error {
	return writeResult(newJSONStream(w, opts), res)
}

// jsonStream writes the document of jsonReport finding by finding: the
// same bytes as encoding it whole with two-space indentation (each element
// is encoded with the indentation of its depth), without holding it.
type jsonStream struct {
	bw  *bufio.Writer
	enc *json.Encoder // writes to elem
	// elem holds one encoded element; reused.
	elem bytes.Buffer
	// buf holds one finding written by appendJSONFinding; reused.
	buf []byte
	n   int // findings written
}

func newJSONStream(w io.Writer, _ Options) Stream {
	s := &jsonStream{bw: bufio.NewWriter(w)}
	s.enc = json.NewEncoder(&s.elem)
	// Elements of the top-level arrays sit at depth 2.
	s.enc.SetIndent("    ", "  ")
	// Messages quote shell and paths ("<none>", "a && b"); \u003c escapes would
	// only make them harder to read, and no consumer embeds this in HTML.
	s.enc.SetEscapeHTML(false)
	fmt.Fprintf(s.bw, "{\n  \"version\": %d,\n  \"findings\": [", jsonVersion)
	return s
}

// element writes v as the next element of an array that has n before it.
func (s *jsonStream) element(v any, n int) error {
	s.elem.Reset()
	if err := s.enc.Encode(v); err != nil {
		return err
	}
	if n == 0 {
		s.bw.WriteString("\n    ")
	} else {
		s.bw.WriteString(",\n    ")
	}
	_, err := s.bw.Write(bytes.TrimSuffix(s.elem.Bytes(), []byte("\n")))
	return err // bufio also keeps it for Flush
}

func (s *jsonStream) File(fs []finding.Finding, _ []string) error {
	for _, f := range fs {
		if s.n == 0 {
			s.bw.WriteString("\n    ")
		} else {
			s.bw.WriteString(",\n    ")
		}
		jf := toJSONFinding(f)
		s.buf = appendJSONFinding(s.buf[:0], &jf)
		if _, err := s.bw.Write(s.buf); err != nil {
			return err
		}
		s.n++
	}
	return s.bw.Flush()
}

func (s *jsonStream) Close(errs []finding.FileError, _ int) error {
	closeArray := func(n int) {
		if n > 0 {
			s.bw.WriteString("\n  ")
		}
		s.bw.WriteString("]")
	}
	closeArray(s.n)
	s.bw.WriteString(",\n  \"errors\": [")
	for i, e := range errs {
		if err := s.element(jsonError{File: e.File, Line: e.Line, Column: e.Col, Message: e.Message}, i); err != nil {
			return err
		}
	}
	closeArray(len(errs))
	s.bw.WriteString("\n}\n")
	return s.bw.Flush()
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

// Package formatcheck reads dockvet's output formats back the way their real
// consumers do — the OASIS SARIF schema and GitHub code scanning's limits,
// the GitHub Actions workflow-command grammar, GitLab Code Quality's required
// fields, an XML parser for Checkstyle — and returns the findings each one
// carries, so that tests and `make corpus` can require every format to carry
// exactly the findings of the JSON format. It is used by tests and tools only,
// never linked into dockvet.
package formatcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Key is one finding as a format carries it. Fields a format does not carry
// are zero after Project.
type Key struct {
	File            string
	Line, Col       int
	EndLine, EndCol int
	Rule, Severity  string
	Message         string
	// Related and Fix summarise related locations and the fix (JSON and
	// SARIF only): "file:line:col message" per location, "description
	// [line:col-endLine:endCol=newText]..." for a fix with edits.
	Related, Fix string
}

func (k Key) String() string {
	s := fmt.Sprintf("%s:%d:%d-%d:%d %s %s %q", k.File, k.Line, k.Col, k.EndLine, k.EndCol, k.Severity, k.Rule, k.Message)
	if k.Related != "" {
		s += fmt.Sprintf(" related %q", k.Related)
	}
	if k.Fix != "" {
		s += fmt.Sprintf(" fix %q", k.Fix)
	}
	return s
}

// Result is what a format carries: findings in order and the files that
// could not be read (for the formats that report them).
type Result struct {
	Findings []Key
	Errors   []string // file names
}

// Formats lists the formats this package reads, besides json.
var Formats = []string{"sarif", "github", "gitlab", "checkstyle"}

// Parse validates doc as the named format and returns what it carries.
func Parse(format string, doc []byte) (*Result, error) {
	switch format {
	case "json":
		return parseJSON(doc)
	case "sarif":
		return parseSARIF(doc)
	case "github":
		return parseGitHub(doc)
	case "gitlab":
		return parseGitLab(doc)
	case "checkstyle":
		return parseCheckstyle(doc)
	}
	return nil, fmt.Errorf("formatcheck: unknown format %q", format)
}

// Project reduces a JSON key to what the named format can carry.
func Project(format string, k Key) Key {
	if format != "json" && format != "sarif" {
		k.Related, k.Fix = "", ""
	}
	switch format {
	case "gitlab":
		// Lines only, and a line even for image config findings.
		line := max(k.Line, 1)
		return Key{File: k.File, Line: line, EndLine: max(k.EndLine, line), Rule: k.Rule, Severity: k.Severity, Message: k.Message}
	case "checkstyle":
		k.EndLine, k.EndCol = 0, 0
		k.Message = xmlChars(k.Message)
		return k
	case "github":
		k.File, k.Message = logChars(k.File), logChars(k.Message)
		return k
	}
	return k
}

// logChars writes C0 controls but tab, CR and LF, DEL and C1 as \xNN, and
// Unicode line separators and bidirectional formatting characters as \uNNNN,
// as the github format does so that the runner's log (which renders ANSI)
// shows them inert. An independent oracle: it does not call the writer's code.
func logChars(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029, r == 0x061c, r == 0x200e, r == 0x200f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Compare requires got to carry exactly the findings of the JSON result
// want, in the same order, and the same file errors when the format carries
// them. It returns the first differences, at most ten.
func Compare(format string, want, got *Result, carriesErrors bool) error {
	var diffs []string
	n := max(len(want.Findings), len(got.Findings))
	for i := 0; i < n && len(diffs) < 10; i++ {
		var w, g Key
		if i < len(want.Findings) {
			w = Project(format, want.Findings[i])
		}
		if i < len(got.Findings) {
			g = got.Findings[i]
		}
		if w != g {
			diffs = append(diffs, fmt.Sprintf("finding %d:\n  json:  %v\n  %s: %v", i, w, format, g))
		}
	}
	if len(want.Findings) != len(got.Findings) {
		diffs = append(diffs, fmt.Sprintf("%d findings in json, %d in %s", len(want.Findings), len(got.Findings), format))
	}
	if carriesErrors && strings.Join(want.Errors, "\n") != strings.Join(got.Errors, "\n") {
		diffs = append(diffs, fmt.Sprintf("file errors: json %q, %s %q", want.Errors, format, got.Errors))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s differs from json:\n%s", format, strings.Join(diffs, "\n"))
	}
	return nil
}

func parseJSON(doc []byte) (*Result, error) {
	var out struct {
		Findings []struct {
			Rule, Severity, File, Message    string
			Line, Column, EndLine, EndColumn int
			Related                          []struct {
				File         string
				Line, Column int
				Message      string
			}
			Fix *struct {
				Description string
				Edits       []struct {
					Line, Column, EndLine, EndColumn int
					NewText                          string
				}
			}
		}
		Errors []struct{ File string }
	}
	if err := strictUnmarshal(doc, &out); err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	res := &Result{}
	for _, f := range out.Findings {
		k := Key{
			File: f.File, Line: f.Line, Col: f.Column, EndLine: f.EndLine, EndCol: f.EndColumn,
			Rule: f.Rule, Severity: f.Severity, Message: f.Message,
		}
		var rel []string
		for _, r := range f.Related {
			rel = append(rel, relatedText(r.File, r.Line, r.Column, r.Message))
		}
		k.Related = strings.Join(rel, "\n")
		if f.Fix != nil && len(f.Fix.Edits) > 0 {
			k.Fix = f.Fix.Description
			for _, e := range f.Fix.Edits {
				k.Fix += editText(e.Line, e.Column, e.EndLine, e.EndColumn, e.NewText)
			}
		}
		res.Findings = append(res.Findings, k)
	}
	for _, e := range out.Errors {
		res.Errors = append(res.Errors, e.File)
	}
	return res, nil
}

func relatedText(file string, line, col int, msg string) string {
	return fmt.Sprintf("%s:%d:%d %s", file, line, col, msg)
}

func editText(line, col, endLine, endCol int, text string) string {
	return fmt.Sprintf(" [%d:%d-%d:%d=%q]", line, col, endLine, endCol, text)
}

// strictUnmarshal decodes exactly one JSON value and nothing after it.
func strictUnmarshal(doc []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the document")
	}
	return nil
}

// xmlChars replaces what XML 1.0 cannot hold with U+FFFD, as encoding/xml
// does when it escapes.
func xmlChars(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				b.WriteRune(utf8.RuneError)
				continue
			}
		}
		if r == 0x09 || r == 0x0A || r == 0x0D ||
			r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
			b.WriteRune(r)
		} else {
			b.WriteRune(utf8.RuneError)
		}
	}
	return b.String()
}

// Package report renders a lint run's result in the output formats users select
// with --format. Formats know nothing about individual rules: everything they
// print comes from the finding itself, so a new rule needs no change here.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

// Options control presentation, and give the formats that need them the
// run's context as data (the tool, the rules that ran, where paths are
// relative to): the findings themselves come only from the Result.
type Options struct {
	// Color turns on ANSI colors (text format only). The CLI decides it from
	// --color, whether stdout is a terminal and NO_COLOR.
	Color bool
	// Tool describes dockvet itself (SARIF tool.driver).
	Tool ToolInfo
	// Rules describes the rules that ran, as data: formats that list rules
	// (SARIF) take id, name and documentation from here, never from rules/.
	Rules []RuleInfo
	// Images says that each finding's File is an image reference (dockvet
	// image), not a path: SARIF then names it as is, without %SRCROOT%.
	Images bool
	// WorkDir is the working directory (absolute); SARIF makes absolute
	// paths under it relative. Empty: absolute paths stay file: URIs.
	WorkDir string
	// Getenv reads the environment (github: GITHUB_STEP_SUMMARY); nil reads
	// nothing, so a test never appends to a real CI summary.
	Getenv func(string) string
}

// ToolInfo names the tool in formats that carry it.
type ToolInfo struct {
	Name           string
	Version        string
	InformationURI string
}

// RuleInfo is what a format may say about a rule.
type RuleInfo struct {
	ID, Name string
	// Summary is one line; Doc the rationale (paragraphs); Help the full
	// documentation as `dockvet explain` prints it.
	Summary, Doc, Help string
	HelpURI            string
	DefaultSeverity    finding.Severity
}

// Formatter writes a whole run result.
type Formatter func(w io.Writer, res *finding.Result, opts Options) error

// formats is ordered as Names reports it; a slice rather than a map keeps that
// order stable without sorting.
// carriesErrors formats report file errors inside their own output (JSON
// "errors", SARIF toolExecutionNotifications, github ::error lines); for the
// others the CLI prints them on stderr (WriteErrors).
// stream is the format's Stream (NewStream); fn writes a whole Result
// through it.
var formats = []struct {
	name          string
	fn            Formatter
	stream        func(io.Writer, Options) Stream
	carriesErrors bool
}{
	{"text", writeText, newTextStream, false},
	{"gnu", writeGNU, newGNUStream, false},
	{"json", writeJSON, newJSONStream, true},
	{"sarif", writeSARIF, newSARIFStream, true},
	{"github", writeGitHub, newGitHubStream, true},
	{"gitlab", writeGitLab, newGitLabStream, false},
	{"checkstyle", writeCheckstyle, newCheckstyleStream, false},
}

// CarriesErrors reports whether the named format writes file errors itself;
// when it does not, the caller prints them with WriteErrors.
func CarriesErrors(name string) bool {
	for _, f := range formats {
		if f.name == name {
			return f.carriesErrors
		}
	}
	return false
}

// Lookup returns the formatter for a --format name.
func Lookup(name string) (Formatter, error) {
	for _, f := range formats {
		if f.name == name {
			return f.fn, nil
		}
	}
	return nil, fmt.Errorf("unknown format %q (valid formats: %s)", name, strings.Join(Names(), ", "))
}

// Names lists the implemented format names in a stable order.
func Names() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// WriteErrors prints file errors for the human formats as
// "path[:line[:col]]: error: message" lines, escaped (see Escape); the CLI
// sends them to stderr, which CI logs and problem matchers read as well.
func WriteErrors(w io.Writer, errs []finding.FileError) error {
	for _, e := range errs {
		at := location(e.File, source.Pos{Line: e.Line, Col: e.Col})
		if _, err := fmt.Fprintf(w, "%s: error: %s\n", at, Escape(e.Message)); err != nil {
			return err
		}
	}
	return nil
}

// location formats "path:line:col" with the path escaped, dropping the parts that are unknown (an
// image finding may have no line), so no format ever prints a fake ":0:0".
func location(file string, p source.Pos) string {
	file = Escape(file)
	switch {
	case p.Line <= 0:
		return file
	case p.Col <= 0:
		return fmt.Sprintf("%s:%d", file, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", file, p.Line, p.Col)
	}
}

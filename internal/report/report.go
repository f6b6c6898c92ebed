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

// Options control presentation, never content.
type Options struct {
	// Color turns on ANSI colors (text format only). The CLI decides it from
	// --color, whether stdout is a terminal and NO_COLOR.
	Color bool
}

// Formatter writes a whole run result.
type Formatter func(w io.Writer, res *finding.Result, opts Options) error

// formats is ordered as Names reports it; a slice rather than a map keeps that
// order stable without sorting.
var formats = []struct {
	name string
	fn   Formatter
}{
	{"text", writeText},
	{"gnu", writeGNU},
	{"json", writeJSON},
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
// "path: error: message" lines, escaped (see Escape); the CLI sends them to
// stderr, which CI logs and problem matchers read as well.
func WriteErrors(w io.Writer, errs []finding.FileError) error {
	for _, e := range errs {
		if _, err := fmt.Fprintf(w, "%s: error: %s\n", Escape(e.File), Escape(e.Message)); err != nil {
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

package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

// palette holds the colors of one text report. Each color has its own
// enable/disable switch so that concurrent reports never touch fatih/color's
// global NoColor.
type palette struct {
	location, note *color.Color
	severity       map[finding.Severity]*color.Color
}

func newPalette(enabled bool) palette {
	p := palette{
		location: color.New(color.Bold),
		note:     color.New(color.FgCyan),
		severity: map[finding.Severity]*color.Color{
			finding.SeverityError:   color.New(color.FgRed, color.Bold),
			finding.SeverityWarning: color.New(color.FgYellow, color.Bold),
			finding.SeverityInfo:    color.New(color.FgCyan, color.Bold),
		},
	}
	all := []*color.Color{p.location, p.note}
	for _, c := range p.severity {
		all = append(all, c)
	}
	for _, c := range all {
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

// forSeverity returns s unchanged for a severity without a color.
func (p palette) forSeverity(sev finding.Severity, s string) string {
	if c, ok := p.severity[sev]; ok {
		return c.Sprint(s)
	}
	return s
}

// writeText is the default, human format: a compiler-style header per finding,
// the offending source line with a caret underline, related notes, and a summary.
func writeText(w io.Writer, res *finding.Result, opts Options) error {
	return writeResult(newTextStream(w, opts), res)
}

type textStream struct {
	bw    *bufio.Writer // keeps the first write error for Flush to report
	pal   palette
	tally *tally
}

func newTextStream(w io.Writer, opts Options) Stream {
	return &textStream{bw: bufio.NewWriter(w), pal: newPalette(opts.Color), tally: newTally()}
}

func (s *textStream) File(fs []finding.Finding, lines []string) error {
	bw, pal := s.bw, s.pal
	for _, f := range fs {
		fmt.Fprintf(bw, "%s: %s: %s\n",
			pal.location.Sprint(location(f.File, f.Range.Start)),
			pal.forSeverity(f.Severity, fmt.Sprintf("%s[%s %s]", f.Severity, f.RuleID, f.RuleName)),
			Escape(f.Message))
		if line, ok := sourceLine(lines, f.Range.Start.Line); ok {
			fmt.Fprintf(bw, "    %s\n    %s\n", Escape(line), pal.forSeverity(f.Severity, underline(line, f.Range)))
		}
		for _, r := range f.Related {
			fmt.Fprintf(bw, "    %s: %s: %s\n",
				pal.location.Sprint(location(r.File, r.Range.Start)), pal.note.Sprint("note"), Escape(r.Message))
		}
	}
	s.tally.add(fs)
	return bw.Flush()
}

func (s *textStream) Close(_ []finding.FileError, linted int) error {
	if s.tally.findings > 0 {
		s.bw.WriteString("\n")
	}
	s.tally.linted = linted
	fmt.Fprintln(s.bw, s.tally.line())
	return s.bw.Flush()
}

// sourceLine returns the 1-based line of a file's lines, if the run kept them.
func sourceLine(lines []string, line int) (string, bool) {
	if line < 1 || line > len(lines) {
		return "", false
	}
	return lines[line-1], true
}

// underline returns the caret line for r on line: carets under the range's
// characters of the first line (a multi-line range runs to the end of that line),
// and at least one caret. Every tab of the source line is copied rather than
// expanded, so the carets align whatever the terminal's tab width; a tab inside
// the range leaves a gap in the carets, which is better than carets that drift.
// The line is printed escaped (see Escape), so a column spans as many carets
// or spaces as its escape has characters.
func underline(line string, r source.Range) string {
	start := max(r.Start.Col, 1)
	end := max(r.End.Col, start)
	if r.End.Line > r.Start.Line {
		end = math.MaxInt
	}
	var b strings.Builder
	col, carets := 1, 0
	for _, u := range units(line) {
		if col >= end {
			break
		}
		width := 1
		if u.escaped {
			width = utf8.RuneCountInString(u.text)
		}
		switch {
		case u.text == "\t":
			b.WriteByte('\t')
		case col < start:
			b.WriteString(strings.Repeat(" ", width))
		default:
			b.WriteString(strings.Repeat("^", width))
			carets++
		}
		col++
	}
	if carets == 0 {
		// A zero-width range, or one past the end of the line (a missing token at
		// the end), still gets a caret where the text is or would be.
		b.WriteString(strings.Repeat(" ", max(start-col, 0)))
		b.WriteByte('^')
	}
	return b.String()
}

// summary is the closing line, e.g. "3 findings (1 error, 2 warnings) in 2 files".
func summary(res *finding.Result) string {
	t := newTally()
	t.add(res.Findings)
	t.linted = res.Files
	return t.line()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

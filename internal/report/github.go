package report

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

// githubSummaryMaxRows bounds the Markdown table: GitHub keeps at most 1 MiB
// of step summary, and a table of thousands of rows helps nobody.
const githubSummaryMaxRows = 500

// writeGitHub writes one GitHub Actions workflow command per finding
// (::error, ::warning, ::notice for info) with the finding's place as
// properties, then one ::error per file that could not be read. It writes
// finding by finding, so it could stream. When opts.Getenv names a
// GITHUB_STEP_SUMMARY file, a Markdown table of the findings is appended to
// it: annotations are capped per step, the summary is not.
func writeGitHub(w io.Writer, res *finding.Result, opts Options) error {
	return writeResult(newGitHubStream(w, opts), res)
}

type githubStream struct {
	bw    *bufio.Writer
	opts  Options
	tally *tally
	// rows are the findings the step summary lists (at most
	// githubSummaryMaxRows; tally counts them all).
	rows []finding.Finding
}

func newGitHubStream(w io.Writer, opts Options) Stream {
	return &githubStream{bw: bufio.NewWriter(w), opts: opts, tally: newTally()}
}

func (s *githubStream) File(fs []finding.Finding, _ []string) error {
	for _, f := range fs {
		props := []string{"file=" + githubProperty(f.File)}
		if p := f.Range.Start; p.Line > 0 {
			props = append(props, "line="+strconv.Itoa(p.Line))
			if p.Col > 0 {
				props = append(props, "col="+strconv.Itoa(p.Col))
			}
			if e := f.Range.End; e.Line >= p.Line {
				props = append(props, "endLine="+strconv.Itoa(e.Line))
				if e.Col > 0 {
					props = append(props, "endColumn="+strconv.Itoa(e.Col))
				}
			}
		}
		props = append(props, "title="+githubProperty(f.RuleID+" "+f.RuleName))
		fmt.Fprintf(s.bw, "::%s %s::%s\n", githubCommand(f.Severity), strings.Join(props, ","), githubData(f.Message))
		if len(s.rows) < githubSummaryMaxRows {
			s.rows = append(s.rows, f)
		}
	}
	s.tally.add(fs)
	return s.bw.Flush()
}

func (s *githubStream) Close(errs []finding.FileError, linted int) error {
	for _, e := range errs {
		at := githubProperty(e.File)
		if e.Line > 0 {
			at += fmt.Sprintf(",line=%d", e.Line)
			if e.Col > 0 {
				at += fmt.Sprintf(",col=%d", e.Col)
			}
		}
		fmt.Fprintf(s.bw, "::error file=%s::%s\n", at, githubData(e.Message))
	}
	if err := s.bw.Flush(); err != nil {
		return err
	}
	if s.opts.Getenv == nil {
		return nil
	}
	s.tally.linted = linted
	if path := s.opts.Getenv("GITHUB_STEP_SUMMARY"); path != "" {
		if err := appendStepSummary(path, s.tally, s.rows, errs); err != nil {
			return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
		}
	}
	return nil
}

func githubCommand(s finding.Severity) string {
	switch s {
	case finding.SeverityError:
		return "error"
	case finding.SeverityWarning:
		return "warning"
	}
	return "notice"
}

// githubData escapes a command's message as the runner unescapes it: '%'
// first, then CR and LF, so that a message can neither end the command early
// nor forge one of its own. Invalid UTF-8 becomes U+FFFD, as in the JSON
// format (the runner would decode it so anyway). The other characters Escape
// rewrites (ESC, C1 controls, bidirectional overrides) are escaped as Escape
// does, before: the runner echoes the annotation into the job's log, which
// renders ANSI sequences.
func githubData(s string) string {
	return githubDataEscaper.Replace(escapeRunesButLineEnds(source.ValidUTF8(s)))
}

// githubProperty escapes a property value: as data, plus ':' and ',', which
// would otherwise end the property list or the value.
func githubProperty(s string) string {
	return githubPropertyEscaper.Replace(escapeRunesButLineEnds(source.ValidUTF8(s)))
}

// A Replacer builds its tables on first use, not when it is made.
var (
	githubDataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	githubPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func appendStepSummary(path string, t *tally, rows []finding.Finding, errs []finding.FileError) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	werr := writeStepSummary(f, t, rows, errs)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}

// writeStepSummary writes a Markdown heading with the counts and a table of
// the findings (rows, the first githubSummaryMaxRows of them) and of the
// file errors.
func writeStepSummary(w io.Writer, t *tally, rows []finding.Finding, errs []finding.FileError) error {
	bw := bufio.NewWriter(w)
	heading := t.line() // the text format's closing line
	if len(errs) > 0 {
		heading += ", " + plural(len(errs), "file", "files") + " not linted"
	}
	fmt.Fprintf(bw, "### dockvet: %s\n\n", markdownCell(heading))
	if t.findings > 0 {
		bw.WriteString("| Severity | Rule | Location | Message |\n|---|---|---|---|\n")
		for _, f := range rows {
			fmt.Fprintf(bw, "| %s | %s | %s | %s |\n", f.Severity,
				markdownCell(f.RuleID+" "+f.RuleName), markdownCell(location(f.File, f.Range.Start)), markdownCell(f.Message))
		}
		if more := t.findings - len(rows); more > 0 {
			fmt.Fprintf(bw, "\n%d more findings are not shown (see the job's annotations or run with -f json).\n", more)
		}
		bw.WriteString("\n")
	}
	if len(errs) > 0 {
		bw.WriteString("| Could not lint | Error |\n|---|---|\n")
		for _, e := range errs {
			fmt.Fprintf(bw, "| %s | %s |\n", markdownCell(e.File), markdownCell(e.Message))
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// markdownCell makes text safe in a GitHub Markdown table cell: no line
// break, no '|' ending the cell, no HTML or Markdown taking effect (GitHub
// renders both in summaries), and the characters Escape rewrites (controls,
// C1, bidirectional overrides) escaped as Escape writes them.
func markdownCell(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\r':
		case '\n':
			b.WriteString("<br>")
		case '|':
			b.WriteString(`\|`)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '[', ']', '~', '#':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			if unsafeRune(r) {
				b.WriteString(escapeRune(r))
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

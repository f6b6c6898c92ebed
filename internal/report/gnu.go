package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/dockvet/dockvet/internal/finding"
)

// writeGNU writes one uncolored "path:line:col: severity: message [RULE]" line per
// finding, the GNU error format that editors and CI problem matchers parse.
// File names and messages are escaped (see Escape): problem matchers read one
// finding per line, so a newline in a message or a file name would otherwise
// forge a finding of its own.
func writeGNU(w io.Writer, res *finding.Result, opts Options) error {
	return writeResult(newGNUStream(w, opts), res)
}

type gnuStream struct{ bw *bufio.Writer }

func newGNUStream(w io.Writer, _ Options) Stream { return gnuStream{bufio.NewWriter(w)} }

func (s gnuStream) File(fs []finding.Finding, _ []string) error {
	for _, f := range fs {
		fmt.Fprintf(s.bw, "%s: %s: %s [%s]\n",
			location(f.File, f.Range.Start), f.Severity, Escape(f.Message), f.RuleID)
	}
	return s.bw.Flush() // bufio keeps the first write error for Flush to report
}

func (s gnuStream) Close([]finding.FileError, int) error { return s.bw.Flush() }

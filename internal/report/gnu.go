package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/dockvet/dockvet/internal/finding"
)

// oneLine turns line breaks into spaces: problem matchers read one finding per
// line, so a multi-line message would otherwise become a bogus second finding.
var oneLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// writeGNU writes one uncolored "path:line:col: severity: message [RULE]" line per
// finding, the GNU error format that editors and CI problem matchers parse.
func writeGNU(w io.Writer, res *finding.Result, _ Options) error {
	bw := bufio.NewWriter(w) // bufio keeps the first write error for Flush to report
	for _, f := range res.Findings {
		fmt.Fprintf(bw, "%s: %s: %s [%s]\n",
			location(f.File, f.Range.Start), f.Severity, oneLine.Replace(f.Message), f.RuleID)
	}
	return bw.Flush()
}

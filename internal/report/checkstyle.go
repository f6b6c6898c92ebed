package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/dockvet/dockvet/internal/finding"
)

// writeCheckstyle writes Checkstyle XML: one <file> per file with findings
// (findings come sorted by file, so a file's errors are adjacent and the
// document can be written finding by finding), one <error> per finding. A
// finding without a line or column leaves the attribute out rather than
// printing 0. File errors go to stderr (the caller).
func writeCheckstyle(w io.Writer, res *finding.Result, _ Options) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	bw.WriteString(`<checkstyle version="4.3">` + "\n")
	open := ""
	for i, f := range res.Findings {
		if i == 0 || f.File != open {
			if i > 0 {
				bw.WriteString("  </file>\n")
			}
			fmt.Fprintf(bw, "  <file name=\"%s\">\n", xmlAttr(f.File))
			open = f.File
		}
		bw.WriteString("    <error")
		if f.Range.Start.Line > 0 {
			fmt.Fprintf(bw, ` line="%d"`, f.Range.Start.Line)
			if f.Range.Start.Col > 0 {
				fmt.Fprintf(bw, ` column="%d"`, f.Range.Start.Col)
			}
		}
		fmt.Fprintf(bw, " severity=\"%s\" message=\"%s\" source=\"%s\"/>\n",
			f.Severity, xmlAttr(f.Message), xmlAttr("dockvet."+f.RuleID))
	}
	if len(res.Findings) > 0 {
		bw.WriteString("  </file>\n")
	}
	bw.WriteString("</checkstyle>\n")
	return bw.Flush()
}

// xmlAttr escapes an attribute value: xml.EscapeText escapes quotes, '&',
// '<', '>' and CR/LF/tab (as character references, so they survive attribute
// normalisation), and replaces characters XML cannot hold (NUL, most C0
// controls, invalid UTF-8) with U+FFFD.
func xmlAttr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

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
func writeCheckstyle(w io.Writer, res *finding.Result, opts Options) error {
	return writeResult(newCheckstyleStream(w, opts), res)
}

type checkstyleStream struct {
	bw   *bufio.Writer
	open string // the <file> element left open
	any  bool   // whether one was opened
}

func newCheckstyleStream(w io.Writer, _ Options) Stream {
	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	bw.WriteString(`<checkstyle version="4.3">` + "\n")
	return &checkstyleStream{bw: bw}
}

func (s *checkstyleStream) File(fs []finding.Finding, _ []string) error {
	bw := s.bw
	for _, f := range fs {
		if !s.any || f.File != s.open {
			if s.any {
				bw.WriteString("  </file>\n")
			}
			fmt.Fprintf(bw, "  <file name=\"%s\">\n", xmlAttr(f.File))
			s.open, s.any = f.File, true
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
	return bw.Flush()
}

func (s *checkstyleStream) Close([]finding.FileError, int) error {
	if s.any {
		s.bw.WriteString("  </file>\n")
	}
	s.bw.WriteString("</checkstyle>\n")
	return s.bw.Flush()
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

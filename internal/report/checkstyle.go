package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

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
	bw.WriteString(xmlHeader)
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

// xmlHeader is the XML declaration (encoding/xml's Header).
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// xmlAttr escapes an attribute value the way encoding/xml's EscapeText does
// (TestXMLAttrIsEscapeText): quotes, '&', '<', '>' and CR/LF/tab become
// character references, so they survive attribute normalisation, and
// characters XML cannot hold (NUL, most C0 controls, U+FFFE, invalid UTF-8)
// become U+FFFD. Written here so that the binary does not link
// encoding/xml, whose init builds its HTML entity tables at every start.
func xmlAttr(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i, r := range s {
		var ref string
		switch r {
		case '"':
			ref = "&#34;"
		case '\'':
			ref = "&#39;"
		case '&':
			ref = "&amp;"
		case '<':
			ref = "&lt;"
		case '>':
			ref = "&gt;"
		case '\t':
			ref = "&#x9;"
		case '\n':
			ref = "&#xA;"
		case '\r':
			ref = "&#xD;"
		default:
			if xmlChar(r) && (r != utf8.RuneError || strings.HasPrefix(s[i:], "\uFFFD")) {
				continue
			}
			ref = "\uFFFD"
		}
		if b.Len() == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[done:i])
		b.WriteString(ref)
		_, width := utf8.DecodeRuneInString(s[i:])
		done = i + width
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// xmlChar reports whether XML 1.0 can hold r (its Char production).
func xmlChar(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r':
		return true
	case r < 0x20:
		return false
	case r <= 0xD7FF:
		return true
	case r < 0xE000:
		return false
	case r <= 0xFFFD:
		return true
	case r < 0x10000:
		return false
	}
	return r <= 0x10FFFF
}

package manifest

import (
	"strings"
	"unicode/utf8"
)

// Suppression is one rule named in an ignore comment, with where it is
// written.
type Suppression struct {
	Rule      string // id or name, as written
	Line, Col int
}

// Suppressed returns the rules (ids or names, as written) that `# dockvet
// ignore=A,B` comment lines directly above line suppress: the comment lines
// right before it, up to the first line that is not a comment. A comment at
// the end of the line before (`- name: x  # dockvet ignore=DV200`) does not
// count: it belongs to that line.
func (f *File) Suppressed(line int) []Suppression {
	var out []Suppression
	for l := line - 1; l >= 1; l-- {
		raw, ok := f.Line(l)
		if !ok {
			break
		}
		text := strings.TrimSpace(raw)
		text = strings.TrimSpace(strings.TrimPrefix(text, "-"))
		if !strings.HasPrefix(text, "#") {
			break
		}
		body := strings.TrimSpace(strings.TrimPrefix(text, "#"))
		rest, ok := strings.CutPrefix(body, "dockvet ")
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		list, ok := strings.CutPrefix(rest, "ignore=")
		if !ok {
			continue
		}
		if i := strings.IndexAny(list, " \t"); i >= 0 {
			list = list[:i] // a reason may follow
		}
		at := strings.Index(raw, "ignore=") + len("ignore=")
		for _, r := range strings.Split(list, ",") {
			if name := strings.TrimSpace(r); name != "" {
				col := utf8.RuneCountInString(raw[:at+strings.Index(r, name)]) + 1
				out = append(out, Suppression{Rule: name, Line: l, Col: col})
			}
			at += len(r) + 1
		}
	}
	return out
}

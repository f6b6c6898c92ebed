package manifest

import (
	"strings"
)

// Suppressed returns the rules (ids or names, as written) that `# dockvet
// ignore=A,B` comment lines directly above line suppress: the comment lines
// right before it, up to the first line that is not a comment. A comment at
// the end of the line before (`- name: x  # dockvet ignore=DV200`) does not
// count: it belongs to that line.
func (f *File) Suppressed(line int) []string {
	var out []string
	for l := line - 1; l >= 1 && l <= len(f.Lines); l-- {
		text := strings.TrimSpace(f.Lines[l-1])
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
		for _, r := range strings.Split(list, ",") {
			if r = strings.TrimSpace(r); r != "" {
				out = append(out, r)
			}
		}
	}
	return out
}

package bkcheck

import (
	"testing"
	"unicode/utf8"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/source"
)

// textOf slices the line by rune columns: the same text as the line read as
// runes, for ASCII, multi-byte characters and invalid bytes alike.
func TestTextOfCountsRunes(t *testing.T) {
	f := &dockerfile.File{Lines: []string{"LABEL a=\"é€ b\"", "ENV x=\xff\xfe y", "RUN ok"}}
	asRunes := func(line string, from, to int) string {
		rs := []rune(line)
		return string(rs[min(from-1, len(rs)):min(to-1, len(rs))])
	}
	for line := 1; line <= len(f.Lines); line++ {
		n := utf8.RuneCountInString(f.Lines[line-1])
		for from := 1; from <= n+2; from++ {
			for to := from; to <= n+2; to++ {
				r := source.Range{Start: source.Pos{Line: line, Col: from}, End: source.Pos{Line: line, Col: to}}
				if got, want := textOf(f, r), asRunes(f.Lines[line-1], from, to); got != want {
					t.Errorf("line %d cols %d-%d: %q, want %q", line, from, to, got, want)
				}
			}
		}
	}
}

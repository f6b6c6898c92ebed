// Package fix applies the fixes that rules attach to their findings: it
// resolves overlapping edits, checks that a fixed file still means the same
// to BuildKit apart from the fixed instructions, writes files atomically and
// prints unified diffs. It knows no rule: fixes arrive on findings.
package fix

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

const bom = "\xef\xbb\xbf"

// text locates 1-based line and character columns (as source.Pos counts
// them: after a byte-order mark, before a line's CR) in a file's bytes.
type text struct {
	src        []byte
	lineStarts []int // byte offset of each line's first byte (after a BOM on line 1)
	lineEnds   []int // byte offset just past each line's content (before "\r\n" or "\n")
	crlf       bool  // the file's line endings are CRLF
}

func newText(src []byte) *text {
	t := &text{src: src}
	start := 0
	if bytes.HasPrefix(src, []byte(bom)) {
		start = len(bom)
	}
	crlfLines, lfLines := 0, 0
	for {
		t.lineStarts = append(t.lineStarts, start)
		i := bytes.IndexByte(src[start:], '\n')
		if i < 0 {
			end := len(src)
			for end > start && src[end-1] == '\r' {
				end--
			}
			t.lineEnds = append(t.lineEnds, end)
			break
		}
		end := start + i
		if end > start && src[end-1] == '\r' {
			crlfLines++
		} else {
			lfLines++
		}
		for end > start && src[end-1] == '\r' {
			end--
		}
		t.lineEnds = append(t.lineEnds, end)
		start += i + 1
	}
	t.crlf = crlfLines > lfLines
	return t
}

// offset turns a position into a byte offset; ok is false for a position
// outside the file. A column past the end of its line means the line's end
// (before its terminator), as an end column one past the last character does.
func (t *text) offset(p source.Pos) (int, bool) {
	if p.Line < 1 || p.Col < 1 {
		return 0, false
	}
	if p.Line > len(t.lineStarts) {
		// Just past the last line: the end of the file.
		if p.Line == len(t.lineStarts)+1 && p.Col == 1 {
			return len(t.src), true
		}
		return 0, false
	}
	off, end := t.lineStarts[p.Line-1], t.lineEnds[p.Line-1]
	for col := 1; col < p.Col; col++ {
		if off >= end {
			return end, true
		}
		_, size := utf8.DecodeRune(t.src[off:end])
		off += size
	}
	return off, true
}

// edit is a finding.Edit located in bytes.
type edit struct {
	start, end int
	text       string
}

// conflicts reports whether two edits cannot both be applied: they overlap,
// or both insert at the same place (whose text would come first is a guess),
// or one inserts inside the other's replaced text.
func (a edit) conflicts(b edit) bool {
	if a.start == b.start {
		return true
	}
	if a.start == a.end {
		return b.start < a.start && a.start < b.end
	}
	if b.start == b.end {
		return a.start < b.start && b.start < a.end
	}
	return max(a.start, b.start) < min(a.end, b.end)
}

// locate turns a fix's edits into byte edits, sorted; ok is false when an
// edit is outside the file, inverted, or two of its own edits conflict.
// "\n" in new text becomes the file's line terminator.
func (t *text) locate(fx *finding.Fix) ([]edit, bool) {
	if fx == nil || len(fx.Edits) == 0 {
		return nil, false
	}
	out := make([]edit, 0, len(fx.Edits))
	for _, e := range fx.Edits {
		s, ok1 := t.offset(e.Range.Start)
		en, ok2 := t.offset(e.Range.End)
		if !ok1 || !ok2 || en < s {
			return nil, false
		}
		nt := e.NewText
		if t.crlf {
			nt = strings.ReplaceAll(strings.ReplaceAll(nt, "\r\n", "\n"), "\n", "\r\n")
		}
		out = append(out, edit{start: s, end: en, text: nt})
	}
	slices.SortFunc(out, func(a, b edit) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end)) })
	for i := 1; i < len(out); i++ {
		if out[i-1].conflicts(out[i]) {
			return nil, false
		}
	}
	return out, true
}

// fixOrder is the order in which fixes claim their text: the rule with the
// lower id first, then source order, so that the outcome of a conflict never
// depends on the order rules ran in.
func fixOrder(a, b finding.Finding) int {
	return cmp.Or(
		cmp.Compare(a.RuleID, b.RuleID),
		cmp.Compare(a.Range.Start.Line, b.Range.Start.Line),
		cmp.Compare(a.Range.Start.Col, b.Range.Start.Col),
		cmp.Compare(a.Message, b.Message),
	)
}

// Apply applies the fixes of findings (those of other files are the
// caller's to leave out) to src. A fix is applied whole or not at all; of
// two conflicting fixes the one first in rule-id order is applied and the
// other left for a later pass (Run re-lints the result). A fix whose edits
// are exactly those of an applied fix counts as applied too. It returns the
// new text and the findings whose fixes were applied.
func Apply(src []byte, findings []finding.Finding) ([]byte, []finding.Finding) {
	t := newText(src)
	cands := slices.Clone(findings)
	slices.SortStableFunc(cands, fixOrder)
	var accepted []edit
	var applied []finding.Finding
	var appliedEdits [][]edit
next:
	for _, f := range cands {
		es, ok := t.locate(f.Fix)
		if !ok {
			continue
		}
		for _, prev := range appliedEdits {
			if slices.Equal(prev, es) {
				applied = append(applied, f)
				continue next
			}
		}
		for _, e := range es {
			for _, a := range accepted {
				if e.conflicts(a) {
					continue next
				}
			}
		}
		accepted = append(accepted, es...)
		appliedEdits = append(appliedEdits, es)
		applied = append(applied, f)
	}
	if len(accepted) == 0 {
		return src, nil
	}
	slices.SortFunc(accepted, func(a, b edit) int { return cmp.Compare(a.start, b.start) })
	var out bytes.Buffer
	out.Grow(len(src))
	last := 0
	for _, e := range accepted {
		out.Write(src[last:e.start])
		out.WriteString(e.text)
		last = e.end
	}
	out.Write(src[last:])
	finding.Sort(applied)
	return out.Bytes(), applied
}

// touchedLines returns, for the fixes of findings, the 1-based lines of src
// that their edits replace or insert into (an edit that ends at the start of
// a line, as deleting whole lines does, leaves that line alone).
func touchedLines(findings []finding.Finding) map[int]bool {
	lines := map[int]bool{}
	for _, f := range findings {
		if f.Fix == nil {
			continue
		}
		for _, e := range f.Fix.Edits {
			last := e.Range.End.Line
			if e.Range.End.Col == 1 && last > e.Range.Start.Line {
				last-- // the edit ends where that line starts: it keeps it
			}
			for l := e.Range.Start.Line; l <= last; l++ {
				lines[l] = true
			}
		}
	}
	return lines
}

package dockerfile

import (
	"strings"

	"github.com/dockvet/dockvet/internal/source"
)

// scanComments records comment lines (outside heredoc bodies) and the
// `# dockvet ...` suppressions among them.
func (f *File) scanComments(ins []*Instruction) {
	const (
		inBody = 1 << iota
		isComment
	)
	flags := make([]uint8, len(f.Lines)+2)
	for _, in := range ins {
		for n := in.bodyStart; n <= in.EndLine && n < len(flags); n++ {
			flags[n] |= inBody
		}
	}
	// owner maps a line to the instruction on it: made on the first ignore
	// comment, as few files have one.
	var owner []*Instruction
	lineOwners := func() []*Instruction {
		if owner == nil {
			owner = make([]*Instruction, len(f.Lines)+2)
			for _, in := range ins {
				for n := in.StartLine; n <= in.EndLine && n < len(owner); n++ {
					owner[n] = in
				}
			}
		}
		return owner
	}
	ncomments := 0
	for _, text := range f.Lines {
		if t := strings.TrimLeft(text, " \t"); t != "" && t[0] == '#' {
			ncomments++
		}
	}
	if ncomments > 0 {
		f.Comments = f.mem.comments.take(ncomments)[:0]
	}
	for i, text := range f.Lines {
		n := i + 1
		trimmed := strings.TrimLeft(text, " \t")
		if flags[n]&inBody != 0 || !strings.HasPrefix(trimmed, "#") {
			continue
		}
		flags[n] |= isComment
		start := len(text) - len(trimmed)
		end := len(strings.TrimRight(text, " \t"))
		c := Comment{
			Line: n,
			Text: strings.TrimSpace(trimmed[1:]),
			Range: source.Range{
				Start: source.Pos{Line: n, Col: f.tab.col(n, start)},
				End:   source.Pos{Line: n, Col: f.tab.col(n, end)},
			},
		}
		f.Comments = append(f.Comments, c)
	}
	for _, c := range f.Comments {
		if h := parseHadolintPragma(f.tab, c); h != nil {
			if !h.Global {
				h.Instruction = f.instructionBelow(c.Line, lineOwners(), flags, isComment)
			}
			f.HadolintSuppressions = append(f.HadolintSuppressions, h)
			continue
		}
		s := parseSuppression(f.tab, c)
		if s == nil {
			continue
		}
		if !s.Global && s.Problem == "" {
			s.Instruction = f.instructionBelow(c.Line, lineOwners(), flags, isComment)
			if s.Instruction == nil {
				s.Problem = "the ignore comment is not directly above an instruction, so it suppresses nothing (use `# dockvet global ignore=...` for the whole file)"
			}
		}
		f.Suppressions = append(f.Suppressions, s)
	}
}

// instructionBelow is the instruction an ignore comment on line applies to:
// the one the comment sits in (inside a continuation), else the one starting
// right after it and the comment lines that follow it; nil for none.
func (f *File) instructionBelow(line int, owner []*Instruction, flags []uint8, isComment uint8) *Instruction {
	if in := owner[line]; in != nil {
		return in
	}
	n := line + 1
	for n < len(flags) && flags[n]&isComment != 0 {
		n++
	}
	if n < len(owner) && owner[n] != nil && owner[n].StartLine == n {
		return owner[n]
	}
	return nil
}

// parseHadolintPragma reads hadolint's `hadolint [global] ignore=A,B` (spaces
// after the commas allowed, as hadolint allows them); it returns nil for any
// other comment, including hadolint's other pragmas (`hadolint shell=...`),
// which dockvet has no use for. A malformed hadolint pragma is not dockvet's
// to judge: hadolint users get no new findings from their comments.
func parseHadolintPragma(tab *lineTable, c Comment) *Suppression {
	rest, ok := strings.CutPrefix(c.Text, "hadolint")
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return nil
	}
	rest = strings.TrimLeft(rest, " \t")
	s := &Suppression{Range: c.Range}
	if after, ok := strings.CutPrefix(rest, "global"); ok && after != "" && (after[0] == ' ' || after[0] == '\t') {
		s.Global = true
		rest = strings.TrimLeft(after, " \t")
	}
	list, ok := strings.CutPrefix(rest, "ignore=")
	if !ok {
		return nil
	}
	line := tab.text[c.Line-1]
	base := strings.Index(line, "ignore=")
	if base < 0 {
		return nil // cannot happen: the comment text is part of its line
	}
	from := base + len("ignore=")
	afterComma := false
	for i := 0; i < len(list); {
		switch list[i] {
		case ',':
			afterComma = true
			i++
			continue
		case ' ', '\t':
			if !afterComma {
				return finishHadolint(s) // the rest is free text
			}
			i++
			continue
		}
		j := i
		for j < len(list) && list[j] != ',' && list[j] != ' ' && list[j] != '\t' {
			j++
		}
		s.Rules = append(s.Rules, SuppressedRule{Name: list[i:j], Range: source.Range{
			Start: source.Pos{Line: c.Line, Col: tab.col(c.Line, from+i)},
			End:   source.Pos{Line: c.Line, Col: tab.col(c.Line, from+j)},
		}})
		afterComma = false
		i = j
	}
	return finishHadolint(s)
}

func finishHadolint(s *Suppression) *Suppression {
	if len(s.Rules) == 0 {
		return nil
	}
	return s
}

const suppressionSyntax = "want `# dockvet ignore=RULE[,RULE...]` or `# dockvet global ignore=RULE[,RULE...]`"

// parseSuppression reads `dockvet [global] ignore=A,B [reason...]`; it returns
// nil for comments that are not addressed to dockvet. Its cost is linear in
// the length of the list: columns come from the line table, not from
// counting the runes before each name.
func parseSuppression(tab *lineTable, c Comment) *Suppression {
	line := tab.text[c.Line-1]
	text := c.Text
	rest, ok := strings.CutPrefix(text, "dockvet")
	if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t' && rest[0] != ':') {
		return nil
	}
	s := &Suppression{Range: c.Range}
	rest = strings.TrimLeft(strings.TrimPrefix(rest, ":"), " \t")
	if after, ok := strings.CutPrefix(rest, "global"); ok && (after == "" || after[0] == ' ' || after[0] == '\t') {
		s.Global = true
		rest = strings.TrimLeft(after, " \t")
	}
	list, ok := strings.CutPrefix(rest, "ignore=")
	if !ok {
		s.Problem = "malformed dockvet comment: " + suppressionSyntax
		return s
	}
	if i := strings.IndexAny(list, " \t"); i >= 0 {
		list = list[:i] // the rest is a free-text reason
	}
	// Locate the list in the physical line to give each name a range.
	base := strings.Index(line, "ignore="+list)
	if base < 0 {
		base = 0
	} else {
		base += len("ignore=")
	}
	off := 0
	s.Rules = make([]SuppressedRule, 0, strings.Count(list, ",")+1)
	for _, name := range strings.Split(list, ",") {
		if name == "" {
			s.Problem = "empty rule name in dockvet comment: " + suppressionSyntax
		} else {
			from := base + off
			s.Rules = append(s.Rules, SuppressedRule{Name: name, Range: source.Range{
				Start: source.Pos{Line: c.Line, Col: tab.col(c.Line, from)},
				End:   source.Pos{Line: c.Line, Col: tab.col(c.Line, from+len(name))},
			}})
		}
		off += len(name) + 1
	}
	return s
}

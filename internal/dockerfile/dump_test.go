package dockerfile

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dockvet/dockvet/internal/source"
)

// This file holds the test helpers shared by the golden, robustness and fuzz
// tests: a textual dump of the model, and a check that every range in it
// lies inside the file.

// rangeText returns the source text a range covers; lines are joined with "⏎".
// Columns past the end of a line are clamped.
func rangeText(lines []string, r source.Range) string {
	if !r.IsValid() || r.Start.Line > len(lines) || r.End.Line > len(lines) || r.End.Line < r.Start.Line {
		return "<bad range>"
	}
	var parts []string
	for n := r.Start.Line; n <= r.End.Line; n++ {
		runes := []rune(strings.ToValidUTF8(lines[n-1], "\uFFFD"))
		from, to := 0, len(runes)
		if n == r.Start.Line {
			from = min(max(r.Start.Col-1, 0), len(runes))
		}
		if n == r.End.Line {
			to = min(max(r.End.Col-1, 0), len(runes))
		}
		if to < from {
			to = from
		}
		parts = append(parts, string(runes[from:to]))
	}
	return strings.Join(parts, "⏎")
}

func fmtRange(r source.Range) string {
	return fmt.Sprintf("%d:%d-%d:%d", r.Start.Line, r.Start.Col, r.End.Line, r.End.Col)
}

// at formats a range and, when it differs from want, the text it covers.
func at(lines []string, r source.Range, want string) string {
	s := "@" + fmtRange(r)
	if got := rangeText(lines, r); got != want {
		s += fmt.Sprintf(" src=%q", got)
	}
	return s
}

func stageLabel(s *Stage) string {
	if s == nil {
		return "-"
	}
	if s.Name != "" {
		return fmt.Sprintf("%d(%s)", s.Index, s.Name)
	}
	return fmt.Sprint(s.Index)
}

func instrLabel(in *Instruction) string {
	if in == nil {
		return "-"
	}
	return fmt.Sprintf("%s@%d", in.Keyword, in.StartLine)
}

// dump renders the model for golden files. Every range is followed by the
// source text it covers when that differs from the value printed before it.
func dump(f *File) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	L := f.Lines
	p("file lines=%d escape=%q instructions=%d stages=%d", len(L), f.Escape, len(f.Instructions), len(f.Stages))
	for _, e := range f.Errors {
		p("error %s %q src=%q", fmtRange(e.Range), e.Message, rangeText(L, e.Range))
	}
	for _, in := range f.Instructions {
		p("")
		flags := ""
		if in.JSON {
			flags += " json"
		}
		if in.Invalid {
			flags += " invalid"
		}
		if in.fallback {
			flags += " FALLBACK"
		}
		p("%s lines=%d-%d range=%s stage=%s%s", in.Keyword, in.StartLine, in.EndLine, fmtRange(in.Range), stageLabel(in.Stage), flags)
		p("  keyword %s", at(L, in.KeywordRange, in.Keyword))
		for _, fl := range in.Flags {
			p("  flag %s=%q hasValue=%v %s value%s", fl.Name, fl.Value, fl.HasValue, at(L, fl.Range, "--"+fl.Name+"="+fl.Value), at(L, fl.ValueRange, fl.Value))
		}
		for _, m := range in.Mounts {
			p("  mount type=%s target=%q from=%q source=%q", m.Type, m.Target, m.From, m.Source)
		}
		p("  argstext %q %s", in.ArgsText, at(L, in.ArgsRange, in.ArgsText))
		for _, a := range in.Args() {
			p("  arg %q %s", a.Value, at(L, a.Range, a.Value))
		}
		if in.Stage != nil && in.Keyword != "FROM" {
			p("  shell %q", in.Shell)
		}
		if s := in.Script; s != nil {
			errs := ""
			if s.Err != nil {
				errs = " err=" + s.Err.Error()
			}
			if s.Text != in.ArgsText {
				p("  script%s text=%q", errs, s.Text)
			} else {
				p("  script%s", errs)
			}
			for _, c := range s.Calls {
				cond := ""
				if c.Conditional {
					cond = " conditional"
				}
				p("    call %q name%s range%s%s", c.Name, at(L, c.NameRange, c.Name), at(L, c.Range, ""), cond)
				for _, w := range c.Args {
					lit := ""
					if !w.Literal {
						lit = " nonliteral"
					}
					p("      word %q%s %s", w.Value, lit, at(L, w.Range, w.Value))
				}
			}
		}
	}
	if len(f.MetaArgs) > 0 {
		p("")
		var ls []string
		for _, in := range f.MetaArgs {
			ls = append(ls, instrLabel(in))
		}
		p("metaargs %s", strings.Join(ls, " "))
	}
	for _, s := range f.Stages {
		p("")
		name := ""
		if s.Name != "" {
			name = fmt.Sprintf(" name=%q %s", s.Name, at(L, s.NameRange, s.Name))
		}
		p("stage %d%s from=%s parent=%s instructions=%d", s.Index, name, instrLabel(s.From), stageLabel(s.Parent), len(s.Instructions))
	}
	for _, r := range f.ImageRefs {
		p("")
		p("ref %s in=%s raw=%q %s", r.Kind, instrLabel(r.Instruction), r.Raw, at(L, r.Range, r.Raw))
		p("  expanded=%q unresolved=%q isImage=%v stage=%s scratch=%v", r.Expanded, r.Unresolved, r.IsImage(), stageLabel(r.Stage), r.Scratch)
		if r.Repository != "" || r.Tag != "" || r.Digest != "" {
			p("  repo=%q tag=%q digest=%q tagrange%s", r.Repository, r.Tag, r.Digest, at(L, r.TagRange, r.Tag))
		}
	}
	if f.Target != nil {
		p("")
		var chain []string
		for _, s := range f.FinalChain() {
			chain = append(chain, stageLabel(s))
		}
		p("target=%s final=[%s]", stageLabel(f.Target), strings.Join(chain, " "))
	}
	if len(f.Comments) > 0 {
		p("")
	}
	for _, c := range f.Comments {
		p("comment line=%d %q %s", c.Line, c.Text, at(L, c.Range, "#"+c.Text))
	}
	for _, s := range f.Suppressions {
		p("suppression global=%v instruction=%s %s", s.Global, instrLabel(s.Instruction), fmtRange(s.Range))
		for _, r := range s.Rules {
			p("  rule %q %s", r.Name, at(L, r.Range, r.Name))
		}
		if s.Problem != "" {
			p("  problem %q", s.Problem)
		}
	}
	return b.String()
}

// checkRanges reports every range of the model that does not lie inside the
// file: lines within 1..len(Lines), columns >= 1 and at most one past the end
// of their line, start not after end.
func checkRanges(f *File) []string {
	var bad []string
	runes := make([]int, len(f.Lines)) // rune counts, computed once per line
	for i, l := range f.Lines {
		runes[i] = utf8.RuneCountInString(l)
	}
	check := func(what string, r source.Range) {
		if len(f.Lines) == 0 || (len(f.Lines) == 1 && f.Lines[0] == "") {
			if r != (source.Range{}) && (r.Start.Line != 1 || r.End.Line != 1 || r.Start.Col != 1 || r.End.Col != 1) {
				bad = append(bad, fmt.Sprintf("%s: %s in an empty file", what, fmtRange(r)))
			}
			return
		}
		ok := true
		for _, p := range []source.Pos{r.Start, r.End} {
			if p.Line < 1 || p.Line > len(f.Lines) || p.Col < 1 {
				ok = false
				continue
			}
			if p.Col > runes[p.Line-1]+1 {
				ok = false
			}
		}
		if r.End.Before(r.Start) {
			ok = false
		}
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: bad range %s", what, fmtRange(r)))
		}
	}
	for _, e := range f.Errors {
		check("error "+e.Message, e.Range)
	}
	for _, in := range f.Instructions {
		w := instrLabel(in)
		check(w, in.Range)
		check(w+" keyword", in.KeywordRange)
		check(w+" args", in.ArgsRange)
		if in.StartLine < 1 || in.EndLine > len(f.Lines) || in.EndLine < in.StartLine {
			bad = append(bad, fmt.Sprintf("%s: bad lines %d-%d", w, in.StartLine, in.EndLine))
		}
		for _, fl := range in.Flags {
			check(w+" flag "+fl.Name, fl.Range)
			if fl.HasValue {
				check(w+" flag value "+fl.Name, fl.ValueRange)
			}
		}
		for _, a := range in.Args() {
			check(w+" arg "+a.Value, a.Range)
		}
		if in.Script != nil {
			for _, c := range in.Script.Calls {
				check(w+" call "+c.Name, c.Range)
				check(w+" call name "+c.Name, c.NameRange)
				for _, a := range c.Args {
					check(w+" call "+c.Name+" word "+a.Value, a.Range)
				}
			}
		}
	}
	for _, s := range f.Stages {
		if s.Name != "" {
			check("stage name", s.NameRange)
		}
	}
	for _, r := range f.ImageRefs {
		check("ref "+r.Raw, r.Range)
		check("ref tag "+r.Raw, r.TagRange)
	}
	for _, c := range f.Comments {
		check("comment", c.Range)
	}
	for _, s := range f.Suppressions {
		check("suppression", s.Range)
		for _, r := range s.Rules {
			check("suppressed rule "+r.Name, r.Range)
		}
	}
	return bad
}

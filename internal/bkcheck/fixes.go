package bkcheck

import (
	"strings"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

// addFixes attaches the safe fixes of BuildKit's checks to the warnings:
// what is only a matter of case, and the rewrites of the deprecated forms
// that keep the value BuildKit reads. A warning whose fix is not surely
// the same build gets none.
func (c *checker) addFixes() {
	for i := range c.res.Warnings {
		w := &c.res.Warnings[i]
		in := w.Instruction
		if in == nil || in.Invalid {
			continue
		}
		switch w.Rule {
		case linter.RuleConsistentInstructionCasing.Name:
			w.Fix = casingFix(w.Range, keyword(in), strings.Contains(w.Message, "lowercase"), "write the keyword in the file's case")
		case linter.RuleFromAsCasing.Name:
			// AS follows the case of FROM.
			w.Fix = casingFix(w.Range, textOf(c.f, w.Range), keyword(in) == strings.ToLower(keyword(in)), "write AS in the case of FROM")
		case linter.RuleStageNameCasing.Name:
			// BuildKit lowercases stage names wherever they are used, so
			// the references need no change.
			w.Fix = casingFix(w.Range, textOf(c.f, w.Range), true, "write the stage name in lowercase")
		case linter.RuleExposeProtoCasing.Name:
			w.Fix = exposeFix(c.f, in)
		case linter.RuleLegacyKeyValueFormat.Name:
			w.Fix = keyValueFix(c.f, in)
		case linter.RuleMaintainerDeprecated.Name:
			w.Fix = maintainerFix(c.f, in)
		}
	}
}

// textOf is the text of a one-line range; "" otherwise.
func textOf(f *dockerfile.File, r source.Range) string {
	if r.Start.Line != r.End.Line || r.Start.Line < 1 || r.Start.Line > len(f.Lines) {
		return ""
	}
	line := f.Lines[r.Start.Line-1]
	s := line[runeOffset(line, r.Start.Col-1):runeOffset(line, r.End.Col-1)]
	if !utf8.ValidString(s) {
		return string([]rune(s)) // columns count runes: an invalid byte is one U+FFFD
	}
	return s // a slice of the line: most lines are valid, and copying them all cost more
}

// runeOffset is the byte offset of rune n of s, len(s) past its end.
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// casingFix replaces the word at r (written as was) with its lower or
// upper case; nil when the range is not exactly the word.
func casingFix(r source.Range, was string, lower bool, desc string) *finding.Fix {
	if was == "" || r.Start.Line != r.End.Line || r.End.Col-r.Start.Col != utf8.RuneCountInString(was) {
		return nil
	}
	now := strings.ToUpper(was)
	if lower {
		now = strings.ToLower(was)
	}
	if now == was {
		return nil
	}
	return &finding.Fix{Description: desc, Edits: []finding.Edit{{Range: r, NewText: now}}}
}

// exposeFix lowercases the protocols of an EXPOSE written on one line
// without variables.
func exposeFix(f *dockerfile.File, in *dockerfile.Instruction) *finding.Fix {
	fx := &finding.Fix{Description: "write the protocol in lowercase"}
	for _, a := range in.Args() {
		if strings.ContainsAny(a.Value, "$\"'") || a.Range.Start.Line != a.Range.End.Line {
			return nil
		}
		if lower := strings.ToLower(a.Value); lower != a.Value && textOf(f, a.Range) == a.Value {
			fx.Edits = append(fx.Edits, finding.Edit{Range: a.Range, NewText: lower})
		}
	}
	if len(fx.Edits) == 0 {
		return nil
	}
	return fx
}

// plainValue reports whether a legacy value can be written in double
// quotes and mean the same: one line, no quotes, no escape character.
func plainValue(v string, escape rune) bool {
	return v != "" && !strings.ContainsAny(v, "\"'`\\\n") && !strings.ContainsRune(v, escape)
}

// keyValueFix rewrites `ENV key value` as `ENV key=value`, or
// `ENV key="value with spaces"`: the legacy form's value is the rest of
// the line, which the quotes keep whole.
func keyValueFix(f *dockerfile.File, in *dockerfile.Instruction) *finding.Fix {
	if in.ArgsRange.Start.Line != in.ArgsRange.End.Line {
		return nil
	}
	text := textOf(f, in.ArgsRange)
	if text == "" || text != in.ArgsText {
		return nil
	}
	i := strings.IndexAny(text, " \t")
	if i <= 0 {
		return nil
	}
	key, value := text[:i], strings.TrimSpace(text[i:])
	switch {
	case strings.Contains(key, "="):
		return nil
	case oneWord(value, f.Escape):
		// key=value is the same word, quotes and escapes included, and
		// BuildKit processes it the same way.
	case plainValue(value, f.Escape):
		value = `"` + value + `"`
	default:
		return nil
	}
	return &finding.Fix{Description: "write " + key + "=value", Edits: []finding.Edit{{Range: in.ArgsRange, NewText: key + "=" + value}}}
}

// maintainerFix replaces `MAINTAINER name` with
// `LABEL org.opencontainers.image.authors="name"`, in the keyword's case.
func maintainerFix(f *dockerfile.File, in *dockerfile.Instruction) *finding.Fix {
	if in.KeywordRange.Start.Line != in.ArgsRange.End.Line {
		return nil
	}
	value := strings.TrimSpace(in.ArgsText)
	if textOf(f, in.ArgsRange) != in.ArgsText || !plainValue(value, f.Escape) || strings.Contains(value, "$") {
		return nil
	}
	label := "LABEL"
	if kw := keyword(in); kw == strings.ToLower(kw) {
		label = "label"
	}
	rng := source.Range{Start: in.KeywordRange.Start, End: in.ArgsRange.End}
	return &finding.Fix{
		Description: "use LABEL org.opencontainers.image.authors",
		Edits:       []finding.Edit{{Range: rng, NewText: label + ` org.opencontainers.image.authors="` + value + `"`}},
	}
}

// oneWord reports whether a value is a single shell word as BuildKit splits
// key=value words: no blank outside quotes or after the escape character,
// quotes closed.
func oneWord(v string, escape rune) bool {
	var quote rune
	escaped := false
	for _, r := range v {
		switch {
		case escaped:
			escaped = false
		case r == escape && quote != '\'':
			escaped = true
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case r == ' ' || r == '\t':
			return false
		}
	}
	return v != "" && quote == 0 && !escaped
}

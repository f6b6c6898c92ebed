package bkcheck

import (
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/source"
)

// parseWarnings places the warnings BuildKit's parser gave (dockvet's front
// end ran it) on their tokens. The parser already applied `# check=`
// comments above each instruction; the file's directive applies here.
func (c *checker) parseWarnings() {
	for _, w := range c.f.BuildKitWarnings {
		if !allows(c.res.file, w.Rule) {
			continue
		}
		in := w.Instruction
		var rng source.Range
		switch w.Rule {
		case linter.RuleNoEmptyContinuation.Name:
			in, rng = c.emptyContinuation(w.Line)
		case linter.RuleFromAsCasing.Name:
			rng = asKeyword(in)
		case linter.RuleStageNameCasing.Name:
			if s := c.stageOf(in); s != nil {
				rng = s.NameRange
			}
		case linter.RuleInvalidDefinitionDescription.Name:
			rng = definedName(c.stageOf(in), in)
		}
		if rng == (source.Range{}) && in != nil {
			rng = in.KeywordRange
		}
		c.res.Warnings = append(c.res.Warnings, Warning{Rule: w.Rule, Message: w.Message, Range: rng, Instruction: in})
	}
}

// emptyContinuation finds the instruction BuildKit's line (the last line of
// the instruction's continued lines) belongs to and its first empty
// continuation line.
func (c *checker) emptyContinuation(line int) (*dockerfile.Instruction, source.Range) {
	lineRange := func(n int) source.Range {
		return source.Range{Start: source.Pos{Line: n, Col: 1}, End: source.Pos{Line: n, Col: 1 + len(c.f.Lines[n-1])}}
	}
	for _, in := range c.f.Instructions {
		if line < in.StartLine || line > in.EndLine {
			continue
		}
		for n := in.StartLine + 1; n <= line && n <= len(c.f.Lines); n++ {
			if strings.TrimSpace(c.f.Lines[n-1]) == "" {
				return in, lineRange(n)
			}
		}
		return in, lineRange(line)
	}
	if line >= 1 && line <= len(c.f.Lines) {
		return nil, lineRange(line)
	}
	return nil, source.Range{}
}

// asKeyword is the `AS` of `FROM image AS name`.
func asKeyword(in *dockerfile.Instruction) source.Range {
	if in == nil {
		return source.Range{}
	}
	for i, a := range in.Args() {
		if i > 0 && strings.EqualFold(a.Value, "as") {
			return a.Range
		}
	}
	return source.Range{}
}

// definedName is what a description comment should start with: the stage
// name of a FROM, the first key of an ARG.
func definedName(s *dockerfile.Stage, in *dockerfile.Instruction) source.Range {
	if s != nil {
		return s.NameRange
	}
	if in != nil && in.Keyword == "ARG" && len(in.Args()) > 0 {
		a := in.Args()[0]
		key, _, _ := strings.Cut(a.Value, "=")
		return prefixRange(a.Range, key)
	}
	return source.Range{}
}

// stageOf returns the stage that in starts (its FROM), nil for other
// instructions.
func (c *checker) stageOf(in *dockerfile.Instruction) *dockerfile.Stage {
	if in == nil || in.Keyword != "FROM" {
		return nil
	}
	for _, s := range c.f.Stages {
		if s.From == in {
			return s
		}
	}
	return nil
}

// prefixRange is the first len(prefix) characters of a token written on one
// line; the whole token otherwise.
func prefixRange(tok source.Range, prefix string) source.Range {
	if prefix == "" || tok.Start.Line != tok.End.Line || tok.End.Col-tok.Start.Col < len(prefix) {
		return tok
	}
	return source.Range{Start: tok.Start, End: source.Pos{Line: tok.Start.Line, Col: tok.Start.Col + len(prefix)}}
}

// stageNames reports reserved and duplicate stage names, as BuildKit does
// before any stage is dispatched (with the file's settings only).
func (c *checker) stageNames() {
	seen := map[string]bool{}
	for _, s := range c.f.Stages {
		if s.Name == "" {
			continue
		}
		if s.Name == "context" || s.Name == "scratch" {
			c.report(c.res.file, &linter.RuleReservedStageName, s.From, s.NameRange, linter.RuleReservedStageName.Format(s.Name))
		}
		if seen[s.Name] {
			c.report(c.res.file, &linter.RuleDuplicateStageName, s.From, s.NameRange, linter.RuleDuplicateStageName.Format(s.Name))
		}
		seen[s.Name] = true
	}
}

// commandCasing reports keywords written neither all upper nor all lower
// case, and keywords whose case differs from the file's majority.
func (c *checker) commandCasing() {
	var lower, upper int
	// Each FROM and valid instruction, walked twice rather than listed.
	each := func(fn func(in *dockerfile.Instruction)) {
		for _, s := range c.f.Stages {
			fn(s.From)
			for _, in := range s.Instructions {
				if !in.Invalid {
					fn(in)
				}
			}
		}
	}
	each(func(in *dockerfile.Instruction) {
		name := keyword(in)
		switch name {
		case strings.ToLower(name):
			lower++
		case strings.ToUpper(name):
			upper++
		}
	})
	majorityLower := lower > upper
	each(func(in *dockerfile.Instruction) {
		name := keyword(in)
		var want string
		if majorityLower && strings.ToLower(name) != name {
			want = "lowercase"
		} else if !majorityLower && strings.ToUpper(name) != name {
			want = "uppercase"
		}
		if want != "" {
			c.report(c.res.file, &linter.RuleConsistentInstructionCasing, in, in.KeywordRange, linter.RuleConsistentInstructionCasing.Format(name, want))
		}
	})
}

// keyword is the instruction keyword as written.
func keyword(in *dockerfile.Instruction) string {
	if in.Node != nil {
		return in.Node.Value
	}
	return in.Keyword
}

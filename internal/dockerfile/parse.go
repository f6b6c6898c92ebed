package dockerfile

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unsafe"

	"github.com/moby/buildkit/frontend/dockerfile/command"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/util/suggest"

	"github.com/dockvet/dockvet/internal/source"
)

// Options are the build settings that change what a Dockerfile means.
type Options struct {
	// BuildArgs override ARG defaults (--build-arg).
	BuildArgs map[string]string
	// Platform is the target platform, "os/arch[/variant]"; it feeds BuildKit's
	// predefined TARGETPLATFORM, TARGETOS, ... ARGs. Default linux/amd64.
	Platform string
	// Target names the stage whose image ships; "" means the last stage.
	Target string
}

// ErrTargetNotFound is returned (wrapped) when Options.Target names no stage.
var ErrTargetNotFound = errors.New("target stage not found")

// Parse parses a Dockerfile. Syntax problems are recorded in File.Errors, not
// returned: the only error is a --target that names no stage (ErrTargetNotFound),
// and even then the File is complete, with the last stage as its Target.
// Parse never panics on any input.
//
// Parse keeps src: the File's Lines, and the strings the model and rules
// take from them (comments, suppressions, text quoted in findings), are
// views of it, not copies, so the caller must not modify src afterwards,
// for as long as the File, its Lines or such strings are in use. Every
// caller hands Parse a buffer made for it and never written again: the
// lint and fix runs read each file into a buffer of its own
// (internal/safefile, io.ReadAll of stdin; TestReadBuffersAreNotReused in
// internal/engine), fixes build new text, image history builds a new
// buffer per attempt. Under the dockvet_poison build tag, Release panics
// when src changed since Parse.
func Parse(name string, src []byte, opts Options) (*File, error) {
	return parse(name, src, opts, arenaPool.Get().(*arenas))
}

// parse is Parse with the arenas the model is allocated from.
func parse(name string, src []byte, opts Options, mem *arenas) (*File, error) {
	src = bytes.TrimPrefix(src, []byte(bom))
	if poisonReleased {
		mem.src, mem.srcCopy = src, string(src)
	}
	f := &File{Name: name, Escape: parser.DefaultEscapeToken, Lines: splitLines(src), Options: opts}
	f.tab = newLineTable(f.Lines)
	f.mem = mem
	if i := bytes.IndexByte(src, 0); i >= 0 {
		line := bytes.Count(src[:i], []byte{'\n'}) + 1
		f.addError(source.LineRange(line, f.line(line)),
			"not a Dockerfile: binary content (NUL byte on line %d)", line)
		return f, nil
	}
	f.CheckDirective, f.CheckDirectiveLine = checkDirective(src)
	nodes := f.parseAST(src)
	f.buildInstructions(nodes)
	f.scanComments(f.Instructions)
	f.buildStages(opts)
	targetErr := f.resolveTarget(opts.Target)
	f.parseScripts()
	f.releaseParserState()
	slices.SortStableFunc(f.Errors, func(a, b SyntaxError) int {
		return cmp.Or(cmp.Compare(a.Range.Start.Line, b.Range.Start.Line), cmp.Compare(a.Range.Start.Col, b.Range.Start.Col))
	})
	return f, targetErr
}

const bom = "\xef\xbb\xbf"

// Release gives the memory of the file's model (its instructions, logical
// lines, argument tokens, shell calls and words, scripts, stages, image
// references, comments) to the Files parsed after it. Afterwards nothing
// of the model may be read: a pointer, Token or Word taken from it would
// show another file's data once a later Parse reuses that memory. The
// File's own lists of the model (Instructions, MetaArgs, Stages, Target,
// Comments, Suppressions, HadolintSuppressions, BuildKitWarnings,
// ImageRefs) are emptied, so that a read through the File finds nothing
// rather than another file (under poisoning they keep pointing at the
// poisoned model). Lines, Name, Errors and the other plain values
// stay valid (they are not recycled). Only the File's sole owner may call
// Release, once it is done with the model and has kept nothing of it but
// strings and positions (the engine, once a file's findings are made).
// Release is optional: a File that is never released is collected as
// usual. Calling it again does nothing.
func (f *File) Release() {
	if f == nil || f.mem == nil {
		return
	}
	m := f.mem
	f.mem = nil
	// Poisoning leaves the lists pointing at the poisoned model, so that a
	// read through the File shows too.
	if !poisonReleased {
		f.Instructions, f.MetaArgs, f.Stages, f.Target = nil, nil, nil, nil
		f.Comments, f.Suppressions, f.HadolintSuppressions = nil, nil, nil
		f.BuildKitWarnings, f.ImageRefs = nil, nil
		f.finalChain, f.inFinal = nil, nil
	}
	m.release()
}

// releaseParserState drops BuildKit's parsed RUN commands once the model
// holds what rules read (mounts, script, flags, tokens): a RunCommand keeps
// its flag parser's maps alive, about 1.2 KB each, so a file of a million
// RUNs kept 2.6 GB (issue 7, item 11). ARG, ENV and SHELL keep their
// Command: variable scopes read it lazily.
func (f *File) releaseParserState() {
	for _, in := range f.Instructions {
		if in.Keyword == "RUN" {
			in.Command = nil
		}
	}
}

// maxLineLen is the longest physical line (with its newline) that BuildKit's
// line scanner accepts (bufio.MaxScanTokenSize); a longer line makes
// parser.Parse fail for the whole file.
const maxLineLen = bufio.MaxScanTokenSize

// maxRecoveries bounds how often parseAST resumes after a syntax error.
const maxRecoveries = 100

// parseAST runs BuildKit's parser on src and returns the instruction nodes.
// parser.Parse gives up on the whole file at the first instruction it cannot
// parse (ENV without '=', a bad heredoc, JSON that is not an array of
// strings, ...); parseAST records that error and parses the rest of the file
// after the bad instruction, so that one bad instruction does not hide the
// others. Node lines are relative to src.
func (f *File) parseAST(src []byte) []*parser.Node {
	src = f.blankLongLines(src)
	starts := lineStarts(f.mem.lineStarts[:0], src)
	defer func() { f.mem.lineStarts = starts[:0] }()
	nlines := len(starts) - 1
	esc := leadingEscape(src)
	parse := func(from, to int) (*parser.Result, int, error) {
		// Lines [from, to) (0-based). A later chunk gets the file's escape
		// directive and a blank line that ends the directive block, so a
		// comment that looks like a directive is not read as one.
		if from == 0 && to == nlines {
			res, err := parser.Parse(bytes.NewReader(src))
			return res, 0, err
		}
		prefix := "\n"
		if from > 0 && esc != parser.DefaultEscapeToken {
			prefix = "# escape=" + string(esc) + "\n\n"
		}
		if from == 0 {
			prefix = ""
		}
		r := io.MultiReader(strings.NewReader(prefix), bytes.NewReader(src[starts[from]:starts[to]]))
		res, err := parser.Parse(r)
		return res, strings.Count(prefix, "\n"), err
	}
	var nodes []*parser.Node
	add := func(res *parser.Result, shift int) {
		if res == nil || res.AST == nil {
			return
		}
		for _, w := range res.Warnings {
			if w.Location != nil && w.URL == linter.RuleNoEmptyContinuation.URL {
				f.BuildKitWarnings = append(f.BuildKitWarnings, BuildKitWarning{
					Rule: linter.RuleNoEmptyContinuation.Name, Message: linter.RuleNoEmptyContinuation.Format(),
					Line: w.Location.Start.Line + shift,
				})
			}
		}
		for _, n := range res.AST.Children {
			n.StartLine += shift
			n.EndLine += shift
			nodes = append(nodes, n)
		}
	}
	line := 0 // 0-based first line of the part still to parse
	for round := 0; line < nlines; round++ {
		res, pre, err := parse(line, nlines)
		shift := line - pre
		if line == 0 && res != nil {
			esc = res.EscapeToken
		}
		add(res, shift)
		if err == nil {
			break
		}
		msg := cleanError(err)
		first, last, ok := errorLines(err)
		if strings.Contains(msg, "file with no instructions") {
			if line == 0 {
				f.addError(f.errorRange(max(first, 1)), "%s", msg)
			}
			break
		}
		if isDirectiveError(msg) {
			// Reported with the 0-based number of the directive's line.
			first, last = first+1, first+1
		}
		first, last = first+shift, max(last, first)+shift
		if !ok || first <= line {
			f.addError(f.errorRange(max(first, 1)), "%s", msg)
			break
		}
		f.addError(f.errorRange(first), "%s", msg)
		if round >= maxRecoveries {
			f.addError(f.errorRange(first), "too many syntax errors; the rest of the file was not parsed")
			break
		}
		if res == nil && first-1 > line {
			// parser.Parse returned nothing: parse the instructions before the bad one.
			res, pre, _ := parse(line, first-1)
			add(res, line-pre)
		}
		line = min(last, nlines)
	}
	f.Escape = esc
	return nodes
}

// lineStarts appends to starts the byte offset where each line starts, as
// BuildKit's scanner splits them (on '\n'), plus len(src) at the end.
func lineStarts(starts []int, src []byte) []int {
	starts = slices.Grow(starts, bytes.Count(src, []byte{'\n'})+2)
	starts = append(starts, 0)
	for i := 0; i < len(src); {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		if i < len(src) {
			starts = append(starts, i)
		}
	}
	return append(starts, len(src))
}

// blankLongLines empties the lines that BuildKit's scanner cannot read (one
// would fail the whole file), recording an error for each; the line count
// does not change. It returns src itself when there are none.
func (f *File) blankLongLines(src []byte) []byte {
	if len(src) <= maxLineLen {
		return src
	}
	var out []byte
	line, from := 1, 0
	for from < len(src) {
		to := len(src)
		if j := bytes.IndexByte(src[from:], '\n'); j >= 0 {
			to = from + j + 1
		}
		if to-from > maxLineLen {
			if out == nil {
				out = append(make([]byte, 0, len(src)), src[:from]...)
			}
			if src[to-1] == '\n' {
				out = append(out, '\n')
			}
			f.addError(f.trimmedLineRange(line), "line %d is longer than BuildKit's limit of %d bytes", line, maxLineLen-1)
		} else if out != nil {
			out = append(out, src[from:to]...)
		}
		line, from = line+1, to
	}
	if out == nil {
		return src
	}
	return out
}

// leadingEscape reads the `# escape=` directive of the leading comment block.
func leadingEscape(src []byte) rune {
	var dp parser.DirectiveParser
	// The pieces of bytes.SplitN(src, "\n", 8), without making their list:
	// up to 7 lines, then the rest.
	for n := 0; ; n++ {
		line, last := src, true
		if i := bytes.IndexByte(src, '\n'); i >= 0 && n < 7 {
			line, src, last = src[:i], src[i+1:], false
		}
		d, err := dp.ParseLine(bytes.TrimLeftFunc(bytes.TrimRight(line, "\r"), unicode.IsSpace))
		if err != nil || d == nil {
			break
		}
		if d.Name == "escape" && (d.Value == "`" || d.Value == `\`) {
			return rune(d.Value[0])
		}
		if last {
			break
		}
	}
	return parser.DefaultEscapeToken
}

// checkDirective returns the value of a `# check=` directive in the leading
// comment block, as BuildKit reads it (parser.ParseDirective), and its line.
func checkDirective(src []byte) (string, int) {
	if !leadingCommentsMention(src, "check") {
		return "", 0
	}
	v, _, loc, ok := parser.ParseDirective("check", src)
	if !ok {
		return "", 0
	}
	line := 1
	if len(loc) > 0 {
		line = loc[0].Start.Line
	}
	return v, line
}

// leadingCommentsMention reports whether the leading comment block (where
// BuildKit reads directives) contains word, in any case: a cheap test that
// spares the directive parser on files without one.
func leadingCommentsMention(src []byte, word string) bool {
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if line[0] != '#' {
			return false
		}
		if source.ContainsFoldASCII(line, word) {
			return true
		}
	}
	return false
}

// isDirectiveError recognises the errors BuildKit raises for a parser
// directive (they carry a 0-based line number).
func isDirectiveError(msg string) bool {
	return strings.Contains(msg, "parser directive") || strings.Contains(msg, "invalid escape token")
}

// errorLines returns the first and last line a BuildKit error names.
func errorLines(err error) (first, last int, ok bool) {
	var le *parser.LocationError
	if !errors.As(err, &le) || len(le.Locations) == 0 || len(le.Locations[0]) == 0 {
		return 0, 0, false
	}
	loc := le.Locations[0]
	return loc[0].Start.Line, loc[len(loc)-1].End.Line, true
}

// splitLines splits on '\n' and trims trailing CRs as BuildKit's trimNewline
// does. The lines are views of src, not a copy of it (a copy of every file
// was 3.7 MB of a corpus pass, issue 11): Parse's contract is that src is
// not modified afterwards.
func splitLines(src []byte) []string {
	s := unsafe.String(unsafe.SliceData(src), len(src))
	lines := make([]string, 0, bytes.Count(src, []byte{'\n'})+1)
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		lines = append(lines, strings.TrimRight(s[:i], "\r"))
		s = s[i+1:]
	}
	if s != "" || len(lines) == 0 {
		lines = append(lines, strings.TrimRight(s, "\r"))
	}
	return lines
}

func (f *File) line(n int) string {
	if n < 1 || n > len(f.Lines) {
		return ""
	}
	return f.Lines[n-1]
}

func (f *File) addError(r source.Range, format string, args ...any) {
	f.Errors = append(f.Errors, SyntaxError{Range: r, Message: fmt.Sprintf(format, args...)})
}

// errorRange locates a BuildKit error on a line: its text without the
// surrounding blanks.
func (f *File) errorRange(line int) source.Range {
	if line < 1 {
		line = 1
	}
	if line > len(f.Lines) && len(f.Lines) > 0 {
		line = len(f.Lines)
	}
	return f.trimmedLineRange(line)
}

// trimmedLineRange covers a line's text without its leading and trailing blanks.
func (f *File) trimmedLineRange(n int) source.Range {
	text := f.line(n)
	start := len(text) - len(strings.TrimLeft(text, " \t"))
	end := len(strings.TrimRight(text, " \t"))
	if end < start {
		end = start
	}
	return source.Range{
		Start: source.Pos{Line: n, Col: source.Column(text, start)},
		End:   source.Pos{Line: n, Col: source.Column(text, end)},
	}
}

// cleanError drops BuildKit's "dockerfile parse error on line N: " prefix, since
// every finding already carries its position.
func cleanError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "dockerfile parse error on line "); i >= 0 {
		if j := strings.Index(msg[i:], ": "); j >= 0 {
			msg = msg[:i] + msg[i+j+2:]
		}
	}
	return msg
}

// instructionNames are BuildKit's instructions, sorted: the suggestion for
// an unknown instruction must not depend on map order (BuildKit's own picks
// among equally close names at random: "rm" got "cmd" or "run" from one run
// to the next).
var instructionNames = sync.OnceValue(func() []string {
	names := make([]string, 0, len(command.Commands))
	for name := range command.Commands {
		names = append(names, strings.ToUpper(name))
	}
	slices.Sort(names)
	return names
})

// unknownInstruction is BuildKit's message for an unknown instruction, with
// a deterministic suggestion.
func unknownInstruction(name string) string {
	msg := "unknown instruction: " + name
	if match, ok := suggest.Search(name, instructionNames(), false); ok {
		msg += " (did you mean " + match + "?)"
	}
	return msg
}

// buildInstructions creates an Instruction per AST node, parsing each one
// separately so that one bad instruction does not hide the others.
func (f *File) buildInstructions(nodes []*parser.Node) {
	f.mem.instructions.reserve(len(nodes))
	f.mem.lineMaps.reserve(len(nodes))
	f.Instructions = f.mem.lists.take(len(nodes))[:0]
	// A stage and a FROM image reference per FROM, a script per RUN, CMD
	// or ENTRYPOINT at most: one block each, of the size the file needs,
	// so that a File that is never released does not carry the arenas'
	// 8-element first blocks (more image references, COPY --from, start
	// a block as usual). The lists (File.Instructions, FinalInstructions)
	// and the comments take blocks of their exact size: a few per file.
	var froms, scripts int
	for _, node := range nodes {
		switch {
		case strings.EqualFold(node.Value, "from"):
			froms++
		case strings.EqualFold(node.Value, "run"), strings.EqualFold(node.Value, "cmd"), strings.EqualFold(node.Value, "entrypoint"):
			scripts++
		}
	}
	f.mem.stages.reserve(froms)
	f.mem.refs.reserve(froms)
	f.mem.scripts.reserve(scripts)
	// BuildKit runs some of its checks (FROM casing, stage name casing,
	// MAINTAINER, definition descriptions) while parsing an instruction,
	// through the linter it is given, after merging a `# check=` comment
	// above the instruction: record what it reports (experimental checks
	// too: whether a rule is on is the engine's decision).
	var current *Instruction
	lint := linter.New(&linter.Config{ExperimentalAll: true, Warn: func(name, _, _, msg string, _ []parser.Range) {
		f.BuildKitWarnings = append(f.BuildKitWarnings, BuildKitWarning{Rule: name, Message: msg, Line: current.StartLine, Instruction: current})
	}})
	for _, node := range nodes {
		in := f.newInstruction(node)
		current = in
		f.Instructions = append(f.Instructions, in)
		cmd, err := instructions.ParseInstructionWithLinter(node, lint)
		if err != nil {
			r := in.Range
			msg := cleanError(err)
			var uie *instructions.UnknownInstructionError
			if errors.As(err, &uie) {
				r = in.KeywordRange
				msg = unknownInstruction(uie.Instruction)
			}
			f.addError(r, "%s", msg)
			in.Invalid = true
			continue
		}
		switch c := cmd.(type) {
		case *instructions.RunCommand:
			// Without flags a RunCommand holds nothing the model lacks
			// (no mounts to expand): do not keep it alive through the
			// parse (see releaseParserState).
			if len(node.Flags) > 0 {
				in.Command = c
			}
		case instructions.Command:
			in.Command = c
		case *instructions.Stage:
			// FROM parses to a Stage; the stage graph is built from the tokens.
		}
		switch cmd.(type) {
		case *instructions.EnvCommand, *instructions.ArgCommand, *instructions.LabelCommand:
			// Their argument nodes (three per name=value pair, about 500
			// bytes) repeat what Command holds: release them (issue 7,
			// item 11, memory per instruction).
			node.Next = nil
		}
		if run, ok := cmd.(*instructions.RunCommand); ok {
			in.Mounts = instructions.GetMounts(run)
		}
	}
}

// newInstruction locates the node's keyword, flags and arguments in the source.
func (f *File) newInstruction(node *parser.Node) *Instruction {
	in := f.mem.instructions.one()
	*in = Instruction{
		Keyword:   strings.ToUpper(node.Value),
		Node:      node,
		StartLine: node.StartLine,
		EndLine:   node.EndLine,
		JSON:      node.Attributes["json"],
		mem:       f.mem,
	}
	if in.StartLine < 1 || in.StartLine > len(f.Lines) {
		// Cannot happen with BuildKit's parser; degrade rather than panic.
		in.StartLine = max(1, min(in.StartLine, len(f.Lines)))
	}
	if in.EndLine < in.StartLine || in.EndLine > len(f.Lines) {
		in.EndLine = max(in.StartLine, min(in.EndLine, len(f.Lines)))
	}
	lm := f.mem.lineMaps.one()
	last, ok := logicalLine(lm, f.tab, f.mem, in.StartLine, f.Escape, node.Original)
	if !ok {
		// Our reconstruction disagrees with BuildKit's (an input we do not model):
		// fall back to BuildKit's text, positioned at the instruction's first line.
		lm = fallbackMap(f.tab, in.StartLine, node.Original)
		in.fallback = true
	}
	in.logical = lm
	in.bodyStart = last + 1
	end := source.Pos{Line: in.EndLine, Col: source.Column(f.line(in.EndLine), len(f.line(in.EndLine)))}
	if in.EndLine == last {
		end = lm.rng(0, len(lm.text)).End
	}
	in.Range = source.Range{Start: lm.pos(0), End: end}
	f.tokenize(in, lm, node.Flags, byte(f.Escape))
	return in
}

// fallbackMap positions every byte of text on the first non-blank column of line.
func fallbackMap(tab *lineTable, line int, text string) *textMap {
	l := tab.text[line-1]
	col := len(l) - len(strings.TrimLeft(l, " \t"))
	return &textMap{text: text, segs: []segment{{off: 0, line: line, col: col}}, tab: tab}
}

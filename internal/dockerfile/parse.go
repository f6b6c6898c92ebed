package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

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
// returned: the only error is a --target that names no stage (ErrTargetNotFound).
// Parse never panics on any input.
func Parse(name string, src []byte, opts Options) (*File, error) {
	f := &File{Name: name, Escape: parser.DefaultEscapeToken, Lines: splitLines(src)}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		line := bytes.Count(src[:i], []byte{'\n'}) + 1
		f.addError(source.LineRange(line, f.line(line)),
			"not a Dockerfile: binary content (NUL byte on line %d)", line)
		return f, nil
	}
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		f.addError(f.errorRange(err), "%s", cleanError(err))
		f.scanComments(nil)
		return f, nil
	}
	f.Escape = res.EscapeToken
	f.buildInstructions(res.AST)
	f.scanComments(f.Instructions)
	f.buildStages(opts)
	if err := f.resolveTarget(opts.Target); err != nil {
		return f, err
	}
	f.parseScripts()
	return f, nil
}

// splitLines splits on '\n' and trims trailing CRs as BuildKit's trimNewline does.
func splitLines(src []byte) []string {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	s := string(src)
	lines := strings.Split(s, "\n")
	if len(lines) > 1 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
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

// errorRange locates a BuildKit error: the first line it names, whole.
func (f *File) errorRange(err error) source.Range {
	line := 1
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line = le.Locations[0][0].Start.Line
	}
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

// buildInstructions creates an Instruction per AST node, parsing each one
// separately so that one bad instruction does not hide the others.
func (f *File) buildInstructions(ast *parser.Node) {
	for _, node := range ast.Children {
		in := f.newInstruction(node)
		f.Instructions = append(f.Instructions, in)
		cmd, err := instructions.ParseInstructionWithLinter(node, nil)
		if err != nil {
			r := in.Range
			var uie *instructions.UnknownInstructionError
			if errors.As(err, &uie) {
				r = in.KeywordRange
			}
			f.addError(r, "%s", cleanError(err))
			in.Invalid = true
			continue
		}
		switch c := cmd.(type) {
		case instructions.Command:
			in.Command = c
		case *instructions.Stage:
			// FROM parses to a Stage; the stage graph is built from the tokens.
		}
		if run, ok := cmd.(*instructions.RunCommand); ok {
			in.Mounts = instructions.GetMounts(run)
		}
	}
}

// newInstruction locates the node's keyword, flags and arguments in the source.
func (f *File) newInstruction(node *parser.Node) *Instruction {
	in := &Instruction{
		Keyword:   strings.ToUpper(node.Value),
		Node:      node,
		StartLine: node.StartLine,
		EndLine:   node.EndLine,
		JSON:      node.Attributes["json"],
	}
	if in.StartLine < 1 || in.StartLine > len(f.Lines) {
		// Cannot happen with BuildKit's parser; degrade rather than panic.
		in.StartLine = max(1, min(in.StartLine, len(f.Lines)))
	}
	if in.EndLine < in.StartLine || in.EndLine > len(f.Lines) {
		in.EndLine = max(in.StartLine, min(in.EndLine, len(f.Lines)))
	}
	lm, last := logicalLine(f.Lines, in.StartLine, f.Escape)
	if lm.text != node.Original {
		// Our reconstruction disagrees with BuildKit's (an input we do not model):
		// fall back to BuildKit's text, positioned at the instruction's first line.
		lm = fallbackMap(f.Lines, in.StartLine, node.Original)
		in.fallback = true
	}
	in.logical = lm
	in.bodyStart = last + 1
	end := source.Pos{Line: in.EndLine, Col: source.Column(f.line(in.EndLine), len(f.line(in.EndLine))) }
	if in.EndLine == last {
		end = lm.rng(0, len(lm.text)).End
	}
	in.Range = source.Range{Start: lm.pos(0), End: end}
	tokenize(in, lm, len(node.Flags))
	return in
}

// fallbackMap positions every byte of text on the first non-blank column of line.
func fallbackMap(lines []string, line int, text string) *textMap {
	l := lines[line-1]
	col := len(l) - len(strings.TrimLeft(l, " \t"))
	return &textMap{text: text, segs: []segment{{off: 0, line: line, col: col}}, lines: lines}
}

package runfacts

import (
	"strings"
	"unicode/utf8"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

// ChainAfter returns the edit that runs cmd after everything the RUN runs,
// as `... && cmd`, written in the RUN's continuation style: on its own
// continuation line when the RUN puts each command on one (leading `&&` or
// trailing `&& \`), else on the last line. In a heredoc script (`RUN <<EOF`)
// under `set -e` it is a line of its own before the terminator, indented
// like the line before; without `set -e` it is chained to the last command,
// so that the RUN still fails when that command fails. ok is false when no
// such place is sure: exec form, several heredocs, a script that did not
// parse, a last command that is conditional or followed by anything but
// blanks (a redirection, `;`, `&`, a closing `fi` or `)`, a comment),
// because then cmd would not run last or would change what runs.
func (f *Facts) ChainAfter(r *Run, cmd string) (finding.Edit, bool) {
	in := r.In
	if in.JSON || len(r.Calls) == 0 || in.Node == nil || len(in.Node.Heredocs) > 1 {
		return finding.Edit{}, false
	}
	last := r.Calls[len(r.Calls)-1]
	if last.Conditional {
		return finding.Edit{}, false
	}
	switch last.Name {
	case "exit", "exec", "return":
		// Nothing after it runs: a cleanup there would never happen.
		return finding.Edit{}, false
	}
	end := last.Range.End
	if !end.IsValid() || end.Line > in.EndLine {
		return finding.Edit{}, false
	}
	at := source.Range{Start: end, End: end}
	if len(in.Node.Heredocs) == 1 {
		if end.Line == in.StartLine {
			// The heredoc is a command's input; the command line is the
			// RUN's first line, and must end there.
			if !f.blankAfter(end, in.StartLine, false) || strings.HasSuffix(strings.TrimSpace(f.File.Lines[in.StartLine-1]), string(f.File.Escape)) {
				return finding.Edit{}, false
			}
			return finding.Edit{Range: at, NewText: " && " + cmd}, true
		}
		// A heredoc script: its body ends before the terminator line.
		if !f.blankAfter(end, in.EndLine-1, false) {
			return finding.Edit{}, false
		}
		if r.setsErrexit(len(r.Calls) - 1) {
			line := f.File.Lines[end.Line-1]
			indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
			return finding.Edit{Range: source.Range{Start: source.Pos{Line: in.EndLine, Col: 1}, End: source.Pos{Line: in.EndLine, Col: 1}}, NewText: indent + cmd + "\n"}, true
		}
		return finding.Edit{Range: at, NewText: " && " + cmd}, true
	}
	if in.ArgsRange.End.Before(end) || !f.blankAfter(end, in.ArgsRange.End.Line, true) {
		return finding.Edit{}, false
	}
	lines := f.File.Lines
	esc := string(f.File.Escape)
	text := " && " + cmd
	if end.Line > in.StartLine {
		line := lines[end.Line-1]
		body := strings.TrimLeft(line, " \t")
		indent := line[:len(line)-len(body)]
		prev := strings.TrimRight(lines[end.Line-2], " \t")
		switch {
		case strings.HasPrefix(body, "&&"):
			text = " " + esc + "\n" + indent + "&& " + cmd
		case strings.HasSuffix(prev, esc) && strings.HasSuffix(strings.TrimRight(strings.TrimSuffix(prev, esc), " \t"), "&&"):
			text = " && " + esc + "\n" + indent + cmd
		}
	}
	return finding.Edit{Range: at, NewText: text}, true
}

// blankAfter reports whether only blanks follow pos up to the end of line
// last (and line continuations, when continued is set).
func (f *Facts) blankAfter(pos source.Pos, last int, continued bool) bool {
	lines := f.File.Lines
	esc := string(f.File.Escape)
	for l := pos.Line; l <= last && l <= len(lines); l++ {
		text := lines[l-1]
		from := 0
		if l == pos.Line {
			from = byteOffset(text, pos.Col)
		}
		rest := strings.TrimSpace(text[from:])
		if continued && l < last {
			rest = strings.TrimSpace(strings.TrimSuffix(rest, esc))
		}
		if rest != "" {
			return false
		}
	}
	return true
}

// setsErrexit reports whether an unconditional `set -e` (or -o errexit,
// or a cluster such as -eux) runs before call i, so that a failing command
// ends the script.
func (r *Run) setsErrexit(i int) bool {
	on := false
	for _, c := range r.Calls[:i] {
		if c.Name != "set" || c.Conditional {
			continue
		}
		for k, a := range c.Args {
			v := a.Value
			switch {
			case v == "-o" && c.Arg(k+1) == "errexit", strings.HasPrefix(v, "-") && !strings.HasPrefix(v, "--") && strings.Contains(v, "e"):
				on = true
			case v == "+o" && c.Arg(k+1) == "errexit", strings.HasPrefix(v, "+") && strings.Contains(v, "e"):
				on = false
			}
		}
	}
	return on
}

// byteOffset converts a 1-based character column of line into a byte offset.
func byteOffset(line string, col int) int {
	off := 0
	for c := 1; c < col && off < len(line); c++ {
		_, size := utf8.DecodeRuneInString(line[off:])
		off += size
	}
	return off
}

// AptListsNeededAfter reports whether an instruction after r may need the
// package lists r leaves: a later RUN that installs with apt without its own
// apt-get update first. Removing r's lists would make that install fail.
func (f *Facts) AptListsNeededAfter(r *Run) bool {
	after := false
	for _, in := range f.File.Instructions {
		if in == r.In {
			after = true
			continue
		}
		if !after || in.Keyword != "RUN" {
			continue
		}
		later := f.Run(in)
		if later == nil {
			continue
		}
		if len(later.Calls) == 0 {
			// An unparsed script may run anything.
			return true
		}
		if a := later.Apt(); a != nil {
			for _, st := range a.Steps {
				if st.Op == AptUpdate {
					break
				}
				if st.Op == AptInstall {
					return true
				}
			}
		}
	}
	return false
}

// AndChain reports whether the RUN's script is one list of commands joined
// only by `&&` (pipes allowed): prefixing `x && ` or appending ` && x` to it
// keeps it failing exactly when it failed. `;`, `||`, `&`, newlines and
// comments (which could also be inside quotes: the answer is then a
// cautious no) make it false, as do exec form and heredocs.
func (r *Run) AndChain() bool {
	in := r.In
	if in.JSON || in.Script == nil || in.Script.Err != nil || len(r.Calls) == 0 || in.Node == nil || len(in.Node.Heredocs) > 0 {
		return false
	}
	t := strings.ReplaceAll(strings.TrimSpace(in.Script.Text), "&&", "")
	return !strings.ContainsAny(t, ";&\n#`(){}") && !strings.Contains(t, "||")
}

// LinesRange is the whole of the instruction's lines, terminators included:
// the range that deletes it.
func LinesRange(startLine, endLine int) source.Range {
	return source.Range{Start: source.Pos{Line: startLine, Col: 1}, End: source.Pos{Line: endLine + 1, Col: 1}}
}

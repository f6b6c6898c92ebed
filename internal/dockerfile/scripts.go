package dockerfile

import (
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockvet/dockvet/internal/source"
)

var defaultShell = []string{"/bin/sh", "-c"}

// parseScripts tracks SHELL through the stage graph and parses the shell
// program of every RUN and shell-form CMD/ENTRYPOINT.
func (f *File) parseScripts() {
	sp := newScriptParser()
	sp.mem = f.mem
	defer sp.release()
	final := map[*Stage][]string{}
	finalDefs := map[*Stage]*varDef{}
	for _, s := range f.Stages {
		var defs *varDef
		if s.Parent != nil {
			defs = finalDefs[s.Parent]
		}
		scratch := rootIsScratch(s)
		sh := defaultShell
		if s.Parent != nil {
			sh = final[s.Parent]
		} else if s.Base != nil && isWindowsImage(s.Base.Expanded) {
			sh = []string{"cmd", "/S", "/C"}
		}
		for _, in := range s.Instructions {
			if c, ok := in.Command.(*instructions.ShellCommand); ok && len(c.Shell) > 0 {
				sh = c.Shell
			}
			in.Shell = sh
			before := defs
			defs = defsAfter(in, defs)
			if in.Invalid || !IsPOSIXShell(sh) {
				continue
			}
			switch in.Keyword {
			case "RUN", "CMD", "ENTRYPOINT":
				in.Script = f.instructionScript(sp, in)
				if in.Script != nil && in.Keyword == "RUN" {
					// CMD and ENTRYPOINT run with the image's config, without the ARGs.
					in.Script.env = &scriptEnv{top: before, scratch: scratch, escape: f.Escape}
				}
			}
		}
		final[s] = sh
		finalDefs[s] = defs
	}
}

// IsPOSIXShell reports whether a SHELL runs POSIX sh syntax (not cmd or PowerShell).
func IsPOSIXShell(shell []string) bool {
	if len(shell) == 0 {
		return true
	}
	name := strings.ToLower(path.Base(strings.ReplaceAll(shell[0], `\`, "/")))
	name = strings.TrimSuffix(name, ".exe")
	return isPOSIXShell(name) || name == "busybox"
}

// isWindowsImage recognises Windows base images, whose default shell is
// cmd, not /bin/sh: Microsoft's (mcr.microsoft.com/windows/servercore,
// nanoserver) and images named as Windows ones (go-windows, node-windows,
// a windowsservercore tag).
func isWindowsImage(ref string) bool {
	ref = strings.ToLower(ref)
	if strings.Contains(ref, "nanoserver") || strings.Contains(ref, "servercore") {
		return true
	}
	for _, word := range strings.FieldsFunc(ref, func(r rune) bool { return r == '/' || r == '-' || r == '_' || r == ':' || r == '.' }) {
		if word == "windows" {
			return true
		}
	}
	return false
}

func (f *File) instructionScript(sp *scriptParser, in *Instruction) *Script {
	lm := in.logical
	if in.JSON {
		return f.execFormScript(sp, in)
	}
	cmd := &sp.args
	lm.sub(cmd, in.argsOff, in.argsEnd)
	if in.Keyword != "RUN" || len(in.Node.Heredocs) == 0 || in.bodyStart > in.EndLine {
		return sp.parse(cmd.text, cmd.rng)
	}
	// RUN <<EOF: the first heredoc body is the script (unless a #! line names
	// another interpreter).
	if isHeredocWord(strings.TrimSpace(cmd.text)) {
		body := f.bodyMap(in.bodyStart, in.EndLine-1)
		first := strings.SplitN(body.text, "\n", 2)[0]
		if strings.HasPrefix(first, "#!") && !shebangIsShell(first) {
			return nil
		}
		return sp.parse(body.text, body.rng)
	}
	// RUN cmd <<EOF ...: BuildKit hands `cmd\n<bodies>` to sh -c, heredocs included.
	b := &textBuilder{tab: f.tab}
	b.segs = append(b.segs, cmd.segs...)
	b.buf.WriteString(cmd.text)
	for n := in.bodyStart; n <= in.EndLine; n++ {
		b.addSynthetic("\n")
		b.addLine(n, 0, len(f.Lines[n-1]))
		if f.Lines[n-1] == "" {
			// keep an empty line addressable
			b.segs = append(b.segs, segment{off: b.buf.Len(), line: n, col: 0})
		}
	}
	all := b.done()
	return sp.parse(all.text, all.rng)
}

// bodyMap maps physical lines from..to joined with newlines.
func (f *File) bodyMap(from, to int) *textMap {
	b := &textBuilder{tab: f.tab}
	for n := from; n <= to && n <= len(f.Lines); n++ {
		if n > from {
			b.addSynthetic("\n")
		}
		b.segs = append(b.segs, segment{off: b.buf.Len(), line: n, col: 0})
		b.buf.WriteString(f.Lines[n-1])
	}
	return b.done()
}

// execFormScript handles RUN ["sh", "-c", "..."]: the -c string is the script.
func (f *File) execFormScript(sp *scriptParser, in *Instruction) *Script {
	if len(in.Args()) < 3 {
		return nil
	}
	words := make([]Word, len(in.Args()))
	for i, t := range in.Args() {
		words[i] = Word{Value: t.Value, Literal: true, Range: t.Range}
	}
	if !isPOSIXShell(path.Base(words[0].Value)) {
		return nil
	}
	i := shellCommandArg(words[1:])
	if i < 0 {
		return nil
	}
	tok := in.Args()[i+1]
	lm := in.logical
	if tok.off+1 <= tok.end-1 && tok.end <= len(lm.text) {
		if v, spans, ok := decodeJSONString(lm.text[tok.off+1:tok.end-1], tok.off+1, true); ok && v == tok.Value {
			return sp.parse(tok.Value, spanMapper(lm.rng, spans))
		}
	}
	// Not decoded exactly: position the script on the whole string.
	return sp.parse(tok.Value, func(from, to int) source.Range { return tok.Range })
}

// isHeredocWord matches <<EOF, <<-EOF, <<"EOF", <<'EOF' (a whole argument).
func isHeredocWord(s string) bool {
	if !strings.HasPrefix(s, "<<") {
		return false
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "<<"), "-")
	return s != "" && !strings.ContainsAny(s, " \t")
}

func shebangIsShell(line string) bool {
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 {
		return true
	}
	name := path.Base(fields[0])
	if name == "env" && len(fields) > 1 {
		name = path.Base(fields[1])
	}
	return isPOSIXShell(name)
}

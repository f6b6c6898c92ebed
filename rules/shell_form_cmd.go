package rules

import (
	"encoding/json"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
)

// ShellFormCmd is DV300.
var ShellFormCmd = &rule.Rule{
	ID:       "DV300",
	Name:     "shell-form-cmd",
	Severity: finding.SeverityWarning,
	Summary:  "the final image's CMD uses shell form: /bin/sh is PID 1 and does not forward SIGTERM",
	Doc: `"CMD npm start" (shell form) is run as /bin/sh -c "npm start": the shell becomes
PID 1 of the container and your program its child. On "docker stop" or a pod
deletion the runtime sends SIGTERM to PID 1 only; sh does not pass it on, so the
program never learns it should shut down. Every stop waits out the whole grace
period (10 s in Docker, 30 s in Kubernetes) and ends in SIGKILL: no connection
draining, no flushed buffers, slow rollouts.

Use the exec (JSON) form, CMD ["npm", "start"], so that the program itself is
PID 1 and receives the signal. If you need the shell (variables, &&), make the
last command replace it with exec: CMD cd /app && exec node server.js.

Only the command the final image actually runs is checked: the last CMD of the
target stage and the stages it is built FROM. The rule stays silent when the
stage's SHELL is not a POSIX shell (cmd, PowerShell) and when the effective
ENTRYPOINT is in shell form: that ignores CMD entirely and is reported by
shell-form-entrypoint (DV301).

When the Dockerfile sets no CMD (and no ENTRYPOINT, which would reset it), the
image runs its base image's CMD: dockvet reads the base image's config, and a
shell-form one (["/bin/sh", "-c", "..."]) is reported on the FROM line.`,
	Bad: `FROM node:22-slim
COPY . /app
WORKDIR /app
CMD npm start`,
	Good: `FROM node:22-slim
COPY . /app
WORKDIR /app
CMD ["npm", "start"]`,
	NeedsBase:  true,
	Check:      checkShellFormCmd,
	CheckImage: checkShellFormCmdImage,
}

func checkShellFormCmd(pass *rule.Pass) {
	cfg := finalConfig(pass.File)
	in := cfg.Cmd
	if in == nil && cfg.Entrypoint == nil && !cfg.CmdCleared {
		reportInheritedShellForm(pass, "CMD", func(img *image.Image) []string {
			if image.IsShellForm(img.Entrypoint) {
				return nil // DV301 reports the ENTRYPOINT, which ignores this CMD
			}
			return img.Cmd
		})
		return
	}
	if in == nil || in.JSON || in.ArgsText == "" || !dockerfile.IsPOSIXShell(in.Shell) {
		return
	}
	if ep := cfg.Entrypoint; ep != nil && !ep.JSON && ep.ArgsText != "" {
		return // a shell-form ENTRYPOINT ignores CMD: DV301 reports it
	}
	sc := analyzeShellForm(in.ArgsText)
	if sc.execs {
		return
	}
	pass.Report(shellFormDiagnostic(in, sc, ""))
}

// reportInheritedShellForm reports, on the FROM line of the final image's
// base, a shell-form CMD or ENTRYPOINT (what) that the final image inherits
// from the base image's config because the Dockerfile sets none.
func reportInheritedShellForm(pass *rule.Pass, what string, argv func(*image.Image) []string) {
	img, ref, _ := pass.FinalBase()
	if img == nil || img.OS == "windows" {
		return
	}
	args := argv(img)
	if !image.IsShellForm(args) {
		return
	}
	pass.Reportf(ref.Range, "the final image sets no %[1]s and inherits base image %[2]s's shell-form %[1]s %[3]s: the shell is PID 1 and does not forward SIGTERM; set an exec-form %[1]s in this Dockerfile", what, ref.Expanded, quoteArgv(args))
}

// quoteArgv prints an argv as JSON, shortened when long.
func quoteArgv(argv []string) string {
	b, _ := json.Marshal(argv)
	s := string(b)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// runtimeConfig is what the final image runs: the instructions that set its
// CMD, ENTRYPOINT and USER last (nil when none in the Dockerfile).
type runtimeConfig struct {
	Cmd, Entrypoint, User *dockerfile.Instruction
	// CmdCleared is set when an ENTRYPOINT reset the CMD (BuildKit does so
	// when the stage has not set CMD itself before it).
	CmdCleared bool
}

func finalConfig(f *dockerfile.File) runtimeConfig {
	var c runtimeConfig
	cmdInStage := false
	for _, in := range f.FinalInstructions() {
		if in.Keyword == "FROM" {
			cmdInStage = false
			continue
		}
		if in.Invalid {
			continue
		}
		switch in.Keyword {
		case "CMD":
			c.Cmd, c.CmdCleared, cmdInStage = in, false, true
		case "ENTRYPOINT":
			c.Entrypoint = in
			if !cmdInStage {
				c.Cmd, c.CmdCleared = nil, true
			}
		case "USER":
			c.User = in
		}
	}
	return c
}

// shellCommand is what a shell-form CMD or ENTRYPOINT runs.
type shellCommand struct {
	// execs: the shell replaces itself with the program (`exec node ...`).
	execs bool
	// words is the exec form of a single simple command of plain words;
	// nil when the command needs the shell (pipes, &&, variables, globs...).
	words []string
	// badJSON: the text starts with '[' (an exec form that is not valid JSON).
	badJSON bool
}

// shellBuiltins cannot run without a shell.
var shellBuiltins = wordSet("cd", "source", ".", "export", "set", "eval", "exit", "ulimit",
	"umask", "trap", "alias", "read", "wait", "shift", "unset", "exec", "if", "for",
	"while", "until", "case", "function", "{", "(", "!", "[[", "time", "coproc", "select",
	"builtin", "command", "local", "declare", "typeset", "readonly", "return", "break",
	"continue", ":")

func analyzeShellForm(text string) shellCommand {
	var sc shellCommand
	if strings.HasPrefix(strings.TrimSpace(text), "[") {
		sc.badJSON = true
		return sc
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text), "")
	if err != nil || len(f.Stmts) == 0 {
		return sc
	}
	// `exec prog ...` first (as documented), or as the command the script
	// ends with: `cd /app && exec node server.js`.
	if isExecStmt(f.Stmts[0]) {
		sc.execs = true
		return sc
	}
	last := f.Stmts[len(f.Stmts)-1]
	for {
		b, ok := last.Cmd.(*syntax.BinaryCmd)
		if !ok || b.Op != syntax.AndStmt || len(last.Redirs) > 0 {
			break
		}
		last = b.Y
	}
	if isExecStmt(last) {
		sc.execs = true
		return sc
	}
	if len(f.Stmts) != 1 || len(f.Last) > 0 {
		return sc
	}
	st := f.Stmts[0]
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Negated || st.Background || st.Coprocess || len(st.Redirs) > 0 ||
		len(st.Comments) > 0 || len(call.Assigns) > 0 || len(call.Args) == 0 {
		return sc
	}
	words := make([]string, 0, len(call.Args))
	for _, w := range call.Args {
		v, ok := plainWord(w)
		if !ok {
			return sc
		}
		words = append(words, v)
	}
	if shellBuiltins[words[0]] {
		return sc
	}
	if len(words) > 1 && isShellProgram(words[0]) {
		// `sh -c '...'` or `sh run.sh`: the exec form would still make a
		// shell PID 1, so it is no fix.
		return sc
	}
	sc.words = words
	return sc
}

// isShellProgram reports whether a command names a shell (sh, /bin/bash, ...).
func isShellProgram(name string) bool {
	return dockerfile.IsPOSIXShell([]string{name})
}

// isExecStmt reports whether a statement is `exec prog ...` (exec with a
// command, not just redirections).
func isExecStmt(st *syntax.Stmt) bool {
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) < 2 {
		return false
	}
	v, ok := plainWord(call.Args[0])
	return ok && v == "exec"
}

// plainWord returns a word's value when the shell would pass it on as is: no
// expansion, glob, tilde, brace or backslash escape.
func plainWord(w *syntax.Word) (string, bool) {
	var sb strings.Builder
	for _, p := range w.Parts {
		switch x := p.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(x.Value, "*?[]~{}\\") {
				return "", false
			}
			sb.WriteString(x.Value)
		case *syntax.SglQuoted:
			if x.Dollar {
				return "", false
			}
			sb.WriteString(x.Value)
		case *syntax.DblQuoted:
			for _, dp := range x.Parts {
				l, ok := dp.(*syntax.Lit)
				if !ok || strings.ContainsRune(l.Value, '\\') {
					return "", false
				}
				sb.WriteString(l.Value)
			}
		default:
			return "", false
		}
	}
	return sb.String(), true
}

// shellFormDiagnostic builds the DV300/DV301 finding for a shell-form CMD or
// ENTRYPOINT; extra is appended to the explanation. The fix is offered when
// the command is plain words (sc.words).
func shellFormDiagnostic(in *dockerfile.Instruction, sc shellCommand, extra string) rule.Diagnostic {
	shell := strings.Join(in.Shell, " ")
	if sc.badJSON {
		return rule.Diagnostic{Range: in.ArgsRange, Message: in.Keyword + " looks like exec form but is not valid JSON (every element must be in double quotes), so it runs as a shell command under \"" + shell + "\"" + extra + "; write a valid JSON array"}
	}
	msg := "shell-form " + in.Keyword + " runs under \"" + shell + "\", which stays PID 1 and does not forward SIGTERM: every stop waits out the grace period and ends in SIGKILL" + extra
	d := rule.Diagnostic{Range: in.ArgsRange}
	if sc.words != nil {
		form := dockerfile.JSONForm(sc.words)
		d.Message = msg + "; use the exec form " + in.Keyword + " " + form
		d.Fix = &finding.Fix{
			Description: "use the exec form " + in.Keyword + " " + form,
			Edits:       []finding.Edit{{Range: in.ArgsRange, NewText: form}},
		}
		return d
	}
	d.Message = msg + "; use the exec (JSON) form, or make the shell hand over with `exec` before the final command"
	return d
}

// checkShellFormCmdImage reports an image config's shell-form Cmd, unless
// the Entrypoint is in shell form too (it ignores Cmd; DV301 reports it).
func checkShellFormCmdImage(pass *rule.ImagePass) {
	img := pass.Image
	if img.OS == "windows" || !image.IsShellForm(img.Cmd) || image.IsShellForm(img.Entrypoint) {
		return
	}
	reportImageShellForm(pass, "CMD", img.Cmd, "", true)
}

// reportImageShellForm reports a shell-form CMD or ENTRYPOINT (what) of an
// image config, on the history entry that set it when one matches the
// config exactly (else on the config, line 0). extra is appended to the
// explanation; suggest offers the exec form when the command is plain
// words.
func reportImageShellForm(pass *rule.ImagePass, what string, argv []string, extra string, suggest bool) {
	img := pass.Image
	sc := analyzeShellForm(argv[2])
	if sc.execs {
		return
	}
	n, _ := imagesrc.LastEntry(img, what, func(e imagesrc.Entry) bool { return slices.Equal(e.List, argv) })
	msg := "the image config's " + what + " " + shortList(argv) + " is in shell form: it"
	if n > 0 {
		msg = entryRef(n, imagesrc.QuoteEntry(img.History[n-1].CreatedBy)) + ": shell-form " + what
	}
	msg += " runs under \"" + strings.Join(argv[:2], " ") +
		"\", which stays PID 1 and does not forward SIGTERM: every stop waits out the grace period and ends in SIGKILL" + extra
	if sc.words != nil && suggest {
		msg += "; use the exec form " + what + " " + dockerfile.JSONForm(sc.words) + " in the Dockerfile"
	} else {
		msg += "; use the exec (JSON) form, or make the shell hand over with `exec` before the final command"
	}
	pass.Reportf(imagesrc.EntryRange(img, pass.History, n, imagesrc.ListText(argv)), "%s", msg)
}

// shortList prints an argv as a Dockerfile JSON array, shortened when long.
func shortList(argv []string) string {
	s := imagesrc.ListText(argv)
	if r := []rune(s); len(r) > 120 {
		s = string(r[:117]) + "..."
	}
	return s
}

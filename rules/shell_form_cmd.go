package rules

import (
	"github.com/dockvet/dockvet/internal/manifest"
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"encoding/json"
	"github.com/dockvet/dockvet/internal/bkcheck"
	"path"
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
	Summary:  "the final image's CMD uses shell form: the shell can stay PID 1 and not forward SIGTERM",
	Doc: `"CMD npm start" (shell form) is run as /bin/sh -c "npm start". Whether the
shell then stays PID 1 of the container, with your program as its child,
depends on the shell: dash, /bin/sh on Debian and Ubuntu, stays PID 1; bash and
BusyBox sh (/bin/sh on Alpine) replace themselves with the program when the
command is a single simple command (bash from 5.1, and BusyBox sh, also with the
last simple command of an && or ; list), but no shell does so for a pipeline, a
redirection or a compound command. On "docker stop" or a pod deletion the
runtime sends SIGTERM to PID 1 only; a shell that stays PID 1 does not pass it
on, so the program never learns it should shut down. Every stop waits out the
whole grace period (10 s in Docker, 30 s in Kubernetes) and ends in SIGKILL: no
connection draining, no flushed buffers, slow rollouts.

So the rule reports a command that keeps any shell as PID 1, and a command that
only some shells hand over to when the shell is dash or the default /bin/sh of
an image whose distribution its name does not tell (the message says which).
It stays silent for such a command under SHELL ["/bin/bash", "-c"] (or ash,
busybox, zsh, ksh), and under the default /bin/sh when the final image is
built FROM an image named as Alpine or BusyBox (alpine, busybox, an "-alpine"
tag) or as the Fedora and Red Hat family (fedora, centos, rockylinux, ubi9...),
whose /bin/sh is bash: there the program is PID 1. bash before 5.1 (CentOS 7,
RHEL 8) stays PID 1 for an && list; the rule cannot tell the version and stays
silent.

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
	NeedsBase:           true,
	Check:               checkShellFormCmd,
	CheckImage:          checkShellFormCmdImage,
	CheckManifest:       checkShellFormCmdManifest,
	ManifestNeedsImages: true,
}

func checkShellFormCmd(pass *rule.Pass) {
	cfg := rule.ResultOf(pass, finalRuntimeConfig)
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
	_, base, _ := pass.FinalBase()
	problem := pid1Problem(in.Shell, base, sc)
	if problem == "" {
		return
	}
	if bkcheck.Skipped(pass.File, linter.RuleJSONArgsRecommended.Name, in) {
		return // `# check=skip=JSONArgsRecommended` names this rule's BuildKit form
	}
	pass.Report(shellFormDiagnostic(in, sc, problem, ""))
}

// reportInheritedShellForm reports, on the FROM line of the final image's
// base, a shell-form CMD or ENTRYPOINT (what) that the final image inherits
// from the base image's config because the Dockerfile sets none.
func reportInheritedShellForm(pass *rule.Pass, what string, argv func(*image.Image) []string) {
	if bkcheck.Skipped(pass.File, linter.RuleJSONArgsRecommended.Name, nil) {
		return
	}
	img, ref, _ := pass.FinalBase()
	if img == nil || img.OS == "windows" {
		return
	}
	args := argv(img)
	if !image.IsShellForm(args) {
		return
	}
	problem := pid1Problem(args[:2], ref, analyzeShellForm(args[2]))
	if problem == "" {
		return
	}
	pass.Reportf(ref.Range, "the final image sets no %[1]s and inherits base image %[2]s's shell-form %[1]s %[3]s, which %[4]s%[5]s; set an exec-form %[1]s in this Dockerfile", what, ref.Expanded, quoteArgv(args), problem, sigtermLost)
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

// finalRuntimeConfig is finalConfig computed once per file for the rules
// that read it (DV300, DV301, DV302).
var finalRuntimeConfig = &rule.Analysis[runtimeConfig]{
	Name: "final-runtime-config",
	Run:  func(pass *rule.Pass) runtimeConfig { return finalConfig(pass.File) },
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
	// single: the command is one simple command, which bash and BusyBox sh
	// replace themselves with (exec without fork). last: the command is an
	// && or ; list that ends with such a command, which BusyBox sh and bash
	// 5.1+ replace themselves with.
	single, last bool
	// blocker names what keeps every shell as PID 1 ("a pipeline"), "" when
	// single or last is set (or the text does not parse).
	blocker string
}

// shellBuiltins cannot run without a shell.
var shellBuiltins = &words{List: []string{"cd", "source", ".", "export", "set", "eval", "exit", "ulimit",
	"umask", "trap", "alias", "read", "wait", "shift", "unset", "exec", "if", "for",
	"while", "until", "case", "function", "{", "(", "!", "[[", "time", "coproc", "select",
	"builtin", "command", "local", "declare", "typeset", "readonly", "return", "break",
	"continue", ":"}}

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
	if why := handoverBlocker(last); why != "" {
		sc.blocker = why
	} else if len(f.Stmts) == 1 && last == f.Stmts[0] {
		sc.single = true
	} else {
		sc.last = true
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
	if shellBuiltins.Has(words[0]) {
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

// handoverBlocker returns what keeps a shell from replacing itself with the
// statement (bash's and ash's exec-without-fork applies to a simple command
// only): "a pipeline", "a redirection"...; "" for a simple command.
func handoverBlocker(st *syntax.Stmt) string {
	switch {
	case st.Negated:
		return "a negated command"
	case st.Background || st.Coprocess:
		return "a background command"
	case len(st.Redirs) > 0:
		return "a redirection"
	}
	switch x := st.Cmd.(type) {
	case *syntax.CallExpr:
		if len(x.Args) == 0 {
			return "an assignment"
		}
		if v, ok := plainWord(x.Args[0]); ok && shellBuiltins.Has(v) {
			return "the builtin `" + v + "`"
		}
		return ""
	case *syntax.BinaryCmd:
		if x.Op == syntax.Pipe || x.Op == syntax.PipeAll {
			return "a pipeline"
		}
		return "an || list"
	case *syntax.TimeClause:
		return "`time`"
	}
	return "a compound command"
}

// shellKind is what a shell does with a command it could replace itself with.
type shellKind int

const (
	// shellUnknownSh is /bin/sh of an image whose distribution is unknown:
	// dash (stays PID 1) on Debian and Ubuntu, BusyBox sh or bash elsewhere.
	shellUnknownSh shellKind = iota
	// shellStays is dash: it stays PID 1 even for a single command.
	shellStays
	// shellHandsOver is bash, BusyBox sh or ash (and zsh, ksh, which do the
	// same as far as we know; a rule that cannot be sure stays silent).
	shellHandsOver
)

// classifyShell says how the shell of a SHELL instruction (or of an image
// config's ["/bin/sh", "-c", ...]) treats a simple command; base is the
// final image's base image, nil when unknown. For /bin/sh it goes by the
// base image's name: Alpine and BusyBox images link it to BusyBox sh, the
// Fedora and Red Hat family to bash, Debian and Ubuntu to dash. where names
// the shell for a message ("dash", "dash on ubuntu:22.04").
func classifyShell(shell []string, base *dockerfile.ImageRef) (kind shellKind, where string) {
	if len(shell) == 0 {
		shell = []string{"/bin/sh"}
	}
	switch path.Base(shell[0]) {
	case "bash", "ash", "busybox", "zsh", "ksh", "mksh":
		return shellHandsOver, ""
	case "dash":
		return shellStays, "dash"
	case "sh":
	default:
		return shellUnknownSh, ""
	}
	switch baseShell(base) {
	case "busybox", "bash":
		return shellHandsOver, ""
	case "dash":
		return shellStays, "dash on " + base.Expanded
	}
	return shellUnknownSh, ""
}

var (
	// bashShImages are repositories whose /bin/sh is bash (the Fedora and
	// Red Hat family).
	bashShImages = &words{List: []string{"fedora", "fedora-minimal", "centos", "rockylinux", "almalinux",
		"oraclelinux", "amazonlinux"}}
	// debianNames are the Debian and Ubuntu repositories and release names,
	// as they appear in tags such as python:3.12-slim-bookworm.
	debianNames = []string{"debian", "ubuntu", "trixie", "bookworm", "bullseye", "buster",
		"stretch", "jessie", "noble", "jammy", "focal", "bionic", "xenial"}
)

// isCentOSStreamName reports whether an s2i image name ends in the CentOS
// Stream suffix: "-c" digits "s" (python-312-c9s). Plain string checks, not
// a package-level regexp compiled at every start-up.
func isCentOSStreamName(name string) bool {
	i := strings.LastIndex(name, "-c")
	if i < 0 || !strings.HasSuffix(name, "s") {
		return false
	}
	digits := name[i+2 : len(name)-1]
	return digits != "" && strings.Trim(digits, "0123456789") == ""
}

// isUBIName reports whether a path component names a Red Hat Universal Base
// Image: "ubi", "ubi9", "ubi10-minimal".
func isUBIName(seg string) bool {
	rest, ok := strings.CutPrefix(seg, "ubi")
	if !ok {
		return false
	}
	rest = strings.TrimLeft(rest, "0123456789")
	return rest == "" || strings.HasPrefix(rest, "-")
}

// baseShell names the /bin/sh of an image by its reference: "busybox"
// (alpine, busybox, node:22-alpine), "bash" (fedora, centos, ubi9/...),
// "dash" (debian, ubuntu, a Debian release in the tag), "" when the name
// does not tell.
func baseShell(ref *dockerfile.ImageRef) string {
	if ref == nil || !ref.IsImage() {
		return ""
	}
	repo, tag := strings.ToLower(ref.Repository), strings.ToLower(ref.Tag)
	name := path.Base(repo)
	switch {
	case name == "alpine" || strings.HasPrefix(name, "alpine-") || name == "busybox" || strings.Contains(tag, "alpine"):
		return "busybox"
	case isCentOSStreamName(name):
		return "bash"
	}
	// Any path component: quay.io/fedora/s2i-base, ubi9/s2i-base,
	// registry.access.redhat.com/ubi10-minimal.
	for _, seg := range strings.Split(repo, "/") {
		if bashShImages.Has(seg) || isUBIName(seg) {
			return "bash"
		}
	}
	for _, d := range debianNames {
		if name == d || strings.Contains(tag, d) {
			return "dash"
		}
	}
	return ""
}

// sigtermLost ends the explanation of a shell that stays PID 1.
const sigtermLost = " and does not forward SIGTERM: every stop waits out the grace period and ends in SIGKILL"

// pid1Problem explains why the shell running a shell-form command stays
// PID 1: `runs under "/bin/sh -c", which ...`, to be followed by
// sigtermLost. It is "" when the shell replaces itself with the program
// (or may: a rule that cannot be sure stays silent).
func pid1Problem(shell []string, base *dockerfile.ImageRef, sc shellCommand) string {
	if len(shell) == 0 {
		shell = []string{"/bin/sh", "-c"}
	}
	runs := "runs under \"" + strings.Join(shell, " ") + "\", which "
	if !sc.single && !sc.last {
		if sc.blocker == "" {
			return runs + "stays PID 1"
		}
		return runs + "stays PID 1 for " + sc.blocker + " (no shell replaces itself with it)"
	}
	kind, where := classifyShell(shell, base)
	switch kind {
	case shellHandsOver:
		return ""
	case shellStays:
		return runs + "is " + where + ": dash stays PID 1 even for a single command"
	}
	other := "a single command"
	if sc.last {
		other = "the last command of a list"
	}
	return runs + "is dash on Debian and Ubuntu: dash stays PID 1 (BusyBox sh on Alpine and bash on Fedora would replace themselves with " + other + ")"
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
// ENTRYPOINT; problem is pid1Problem's explanation ("" when the shell hands
// over, and extra is then the whole finding), extra is appended to it. The
// fix is offered when the command is plain words (sc.words).
func shellFormDiagnostic(in *dockerfile.Instruction, sc shellCommand, problem, extra string) rule.Diagnostic {
	shell := strings.Join(in.Shell, " ")
	if sc.badJSON {
		return rule.Diagnostic{Range: in.ArgsRange, Message: in.Keyword + " looks like exec form but is not valid JSON (every element must be in double quotes), so it runs as a shell command under \"" + shell + "\"" + extra + "; write a valid JSON array"}
	}
	msg := "shell-form " + in.Keyword + " " + problem + sigtermLost + extra
	if problem == "" {
		msg = "shell-form " + in.Keyword + " runs under \"" + shell + "\"" + extra
	}
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
	reportImageShellForm(pass, "CMD", img.Cmd, "", true, false)
}

// reportImageShellForm reports a shell-form CMD or ENTRYPOINT (what) of an
// image config, on the history entry that set it when one matches the
// config exactly (else on the config, line 0). extra is appended to the
// explanation; suggest offers the exec form when the command is plain
// words. When the shell replaces itself with the program, only a non-empty
// extra is reported, and only when mustReport is set.
func reportImageShellForm(pass *rule.ImagePass, what string, argv []string, extra string, suggest, mustReport bool) {
	img := pass.Image
	sc := analyzeShellForm(argv[2])
	if sc.execs {
		return
	}
	problem := pid1Problem(argv[:2], nil, sc)
	if problem == "" && !mustReport {
		return
	}
	n, _ := imagesrc.LastEntry(img, what, func(e imagesrc.Entry) bool { return slices.Equal(e.List, argv) })
	msg := "the image config's " + what + " " + shortList(argv) + " is in shell form: it"
	if n > 0 {
		msg = entryRef(n, imagesrc.QuoteEntry(img.History[n-1].CreatedBy)) + ": shell-form " + what
	}
	if problem == "" {
		msg += " runs under \"" + strings.Join(argv[:2], " ") + "\"" + extra
	} else {
		msg += " " + problem + sigtermLost + extra
	}
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

// checkShellFormCmdManifest reports a container that runs its image's
// shell-form CMD: neither command nor args override it (Compose: command
// or entrypoint), and the ENTRYPOINT is not shell form (DV301's case).
func checkShellFormCmdManifest(pass *rule.ManifestPass) {
	for _, u := range containerUses(pass.Workload) {
		c := u.Container
		if c.HasCommand || c.HasArgs {
			continue
		}
		img, _ := pass.Image(u)
		if img == nil || img.OS == "windows" || !image.IsShellForm(img.Cmd) || image.IsShellForm(img.Entrypoint) || len(img.Entrypoint) > 0 {
			continue
		}
		reportManifestShellForm(pass, u, "CMD", img.Cmd, "")
	}
}

// reportManifestShellForm reports a container that runs its image's
// shell-form CMD or ENTRYPOINT (what), on the image value, unless the shell
// replaces itself with the program.
func reportManifestShellForm(pass *rule.ManifestPass, u *manifest.ImageUse, what string, argv []string, extra string) {
	sc := analyzeShellForm(argv[2])
	if sc.execs {
		return
	}
	problem := pid1Problem(argv[:2], nil, sc)
	if problem == "" && extra == "" {
		return
	}
	msg := useName(pass.Workload, u) + ": the image's " + what + " " + shortList(argv) + " is in shell form and the container does not override it: it "
	if problem == "" {
		msg += "runs under \"" + strings.Join(argv[:2], " ") + "\"" + extra
	} else {
		msg += problem + sigtermLost + extra
	}
	override := "args"
	if what == "ENTRYPOINT" {
		override = "command"
	}
	if pass.Workload.Kind == "service" {
		override = map[string]string{"args": "command", "command": "entrypoint"}[override]
	}
	if sc.words != nil {
		msg += "; set " + override + ": " + dockerfile.JSONForm(sc.words) + " in the manifest, or use the exec form in the Dockerfile"
	} else {
		msg += "; use the exec form in the Dockerfile, or set " + override + " to the program itself"
	}
	pass.Report(u, rule.Diagnostic{Range: u.Range, Message: msg})
}

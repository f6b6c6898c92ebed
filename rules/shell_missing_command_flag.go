package rules

import (
	"path"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// ShellMissingCommandFlag is DV304.
var ShellMissingCommandFlag = &rule.Rule{
	ID:       "DV304",
	Name:     "shell-missing-command-flag",
	Severity: finding.SeverityError,
	Summary:  "SHELL does not end with the shell's command flag (-c, /C, -Command), so every later RUN and shell-form CMD runs the wrong thing",
	Doc: `BuildKit runs a shell-form RUN, CMD or ENTRYPOINT by appending the command
text, as one argument, to the SHELL list. The list must therefore end with
the flag that makes the shell read its next argument as a command: -c for
sh and bash, /C (usually /S /C) for cmd, -Command for PowerShell.

Without it the shell reads the command as something else. SHELL
["/bin/bash"] makes RUN apt-get update run bash "apt-get update": bash looks
for a script file named "apt-get update" and the build fails with "No such
file or directory"; pwsh treats it as a script path too, and cmd without /C
starts an interactive prompt that reads nothing. Worse, SHELL ["/bin/bash",
"-c", "set -e"] ends with an operand instead of a flag: bash runs "set -e"
as the script and receives the RUN's command as $0, so every RUN after it
succeeds without running anything. A CMD in shell form fails only when the
container starts.

Options may come before the flag (SHELL ["/bin/bash", "-o", "pipefail",
"-c"]), PowerShell and cmd may get the start of the command after -Command or /C
(SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]), and a
script after -c may run the command it receives as "$@" (SHELL ["/bin/bash",
"-c", "source /env.sh && exec \"$0\" \"$@\""]): all are fine. Windows
PowerShell (powershell.exe) reads a command without -Command, so only pwsh
is reported for that. Shells the rule does not know are not checked.`,
	Bad: `FROM ubuntu:24.04
SHELL ["/bin/bash", "-o", "pipefail"]
RUN curl -fsSL https://example.com/install.sh | bash`,
	Good: `FROM ubuntu:24.04
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.com/install.sh | bash`,
	Check: checkShellMissingCommandFlag,
}

func checkShellMissingCommandFlag(pass *rule.Pass) {
	for _, in := range pass.File.Instructions {
		c, ok := in.Command.(*instructions.ShellCommand)
		if !ok || in.Invalid || len(c.Shell) == 0 || len(in.Args()) != len(c.Shell) {
			continue
		}
		problem, flag := shellCommandFlagProblem(c.Shell)
		if problem == "" {
			continue
		}
		d := rule.Diagnostic{
			Range:   in.ArgsRange,
			Message: "SHELL " + dockerfile.JSONForm(c.Shell) + " " + problem + ", so every later RUN and shell-form CMD and ENTRYPOINT of the stage (and of the stages built FROM it) runs the wrong thing; end the list with " + flag,
		}
		if fixed := append(c.Shell[:len(c.Shell):len(c.Shell)], flag); strings.HasPrefix(problem, shellNoFlag) {
			d.Fix = &finding.Fix{
				Description: "end the SHELL list with " + flag,
				Edits:       []finding.Edit{{Range: in.ArgsRange, NewText: dockerfile.JSONForm(fixed)}},
			}
		}
		pass.Report(d)
	}
}

// shellNoFlag is the problem of a list without the command flag.
const shellNoFlag = "has no command flag"

// shellCommandFlagProblem says what is wrong with a SHELL list ("" when it
// is fine or the shell is unknown) and which flag it should end with.
func shellCommandFlagProblem(shell []string) (problem, flag string) {
	name, args := shellProgram(shell)
	switch {
	case dockerfile.IsPOSIXShell([]string{name}):
		return posixCommandFlagProblem(name, args)
	case name == "cmd":
		// What follows /C starts the command (["cmd", "/S", "/C",
		// "C:\\wrap.bat"] runs wrap.bat with the RUN's text as arguments).
		for _, a := range args {
			if strings.EqualFold(a, "/c") || strings.EqualFold(a, "/k") {
				return "", ""
			}
		}
		return shellNoFlag + " (cmd without /C starts an interactive prompt)", "/C"
	case name == "pwsh":
		for _, a := range args {
			if isPowerShellCommandFlag(a) {
				return "", ""
			}
		}
		return shellNoFlag + " (pwsh reads its first argument as a script file path)", "-Command"
	}
	return "", ""
}

// shellProgram returns the shell a SHELL list runs, lower-cased without
// directory or .exe, and its arguments; `env [NAME=value...]` and
// `busybox sh` are looked through.
func shellProgram(shell []string) (string, []string) {
	base := func(s string) string {
		return strings.TrimSuffix(strings.ToLower(path.Base(strings.ReplaceAll(s, `\`, "/"))), ".exe")
	}
	name, args := base(shell[0]), shell[1:]
	if name == "env" {
		for len(args) > 0 && strings.Contains(args[0], "=") {
			args = args[1:]
		}
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return "", nil
		}
		name, args = base(args[0]), args[1:]
	}
	if name == "busybox" && len(args) > 0 && dockerfile.IsPOSIXShell(args[:1]) {
		name, args = base(args[0]), args[1:]
	}
	return name, args
}

// posixCommandFlagProblem checks the arguments of sh, bash and friends: a
// -c must be among the options, and nothing may follow the options (an
// operand would become the script, and the RUN's command only its $0).
func posixCommandFlagProblem(name string, args []string) (problem, flag string) {
	hasC := false
	operand := ""
	for i := 0; i < len(args) && operand == ""; i++ {
		a := args[i]
		takesValue := false
		switch {
		case a == "--" || a == "-":
			if i+1 < len(args) {
				operand = args[i+1]
			}
		case a == "--rcfile" || a == "--init-file":
			takesValue = true
		case strings.HasPrefix(a, "--"):
		case len(a) > 1 && (a[0] == '-' || a[0] == '+'):
			hasC = hasC || a[0] == '-' && strings.ContainsRune(a[1:], 'c')
			takesValue = strings.ContainsAny(a[1:], "oO") // -o pipefail, -euo pipefail
		default:
			operand = a
		}
		if takesValue {
			if i == len(args)-1 {
				return "ends with " + a + ", which takes the command as its value", "-c"
			}
			i++
		}
	}
	switch {
	case operand != "" && !hasC:
		return "passes " + strconv.Quote(operand) + " where the -c flag should be, so " + name + " runs it as a script file", "-c"
	case operand != "" && usesScriptArgs(operand):
		// bash -c 'source /env && exec "$@"' runs the command on purpose
	case operand != "":
		return "ends with the operand " + strconv.Quote(operand) + " after -c: " + name + " runs it as the script and gets each command only as $0, so no RUN command is run", "-c"
	case !hasC:
		return shellNoFlag + " (" + name + " reads its first argument as a script file name)", "-c"
	}
	return "", ""
}

// usesScriptArgs reports whether a script given to -c reads the arguments
// after it ($0, $@, $*), as a wrapper that runs the command does.
func usesScriptArgs(script string) bool {
	return strings.Contains(script, "$0") || strings.Contains(script, "$@") || strings.Contains(script, "$*") ||
		strings.Contains(script, "${0}") || strings.Contains(script, "${@}")
}

// isPowerShellCommandFlag recognises -Command and the abbreviations
// PowerShell accepts for it (-c, -com, -comm...), in any case.
func isPowerShellCommandFlag(a string) bool {
	a = strings.ToLower(a)
	if a == "-c" {
		return true
	}
	return len(a) >= 4 && strings.HasPrefix("-command", a)
}

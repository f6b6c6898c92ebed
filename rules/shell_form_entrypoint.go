package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/bkcheck"
	"strconv"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
)

// ShellFormEntrypoint is DV301.
var ShellFormEntrypoint = &rule.Rule{
	ID:       "DV301",
	Name:     "shell-form-entrypoint",
	Severity: finding.SeverityWarning,
	Summary:  "the final image's ENTRYPOINT uses shell form: SIGTERM can be lost and CMD is ignored",
	Doc: `"ENTRYPOINT node server.js" (shell form) is run as /bin/sh -c "node server.js".
A shell that stays PID 1 does not forward SIGTERM to your program, so every
"docker stop" or pod deletion waits out the grace period (10 s in Docker, 30 s in
Kubernetes) and ends in SIGKILL. dash (/bin/sh on Debian and Ubuntu) stays PID 1;
bash and BusyBox sh (Alpine) replace themselves with a single simple command
(bash from 5.1, and BusyBox sh, also with the last one of an && or ; list), no
shell with a pipeline, redirection or compound command. A shell-form ENTRYPOINT
also receives no arguments, whatever the shell: the image's CMD and the
arguments of "docker run IMAGE ..." or a pod's args are silently ignored.

Use the exec (JSON) form, ENTRYPOINT ["node", "server.js"]. If you need the shell,
put the logic in a script that ends with exec "$@", or make the last command
replace the shell: ENTRYPOINT cd /app && exec node server.js.

Only the ENTRYPOINT the final image runs is checked (the last one in the target
stage and the stages it is built FROM). The rule stays silent when the stage's
SHELL is not a POSIX shell (cmd, PowerShell). Under a shell that hands over to
the command (SHELL bash, ash or busybox; the default /bin/sh of an Alpine or
BusyBox base) the PID 1 problem is gone, so only an ignored CMD of this
Dockerfile is reported. When the Dockerfile sets no
ENTRYPOINT, the base image's one applies: a shell-form ENTRYPOINT in the base
image's config is reported on the FROM line.`,
	Bad: `FROM node:22-slim
COPY . /app
ENTRYPOINT node /app/server.js
CMD ["--port", "8080"]`,
	Good: `FROM node:22-slim
COPY . /app
ENTRYPOINT ["node", "/app/server.js"]
CMD ["--port", "8080"]`,
	NeedsBase:           true,
	Check:               checkShellFormEntrypoint,
	CheckImage:          checkShellFormEntrypointImage,
	CheckManifest:       checkShellFormEntrypointManifest,
	ManifestNeedsImages: true,
}

func checkShellFormEntrypoint(pass *rule.Pass) {
	cfg := rule.ResultOf(pass, finalRuntimeConfig)
	in := cfg.Entrypoint
	if in == nil {
		reportInheritedShellForm(pass, "ENTRYPOINT", func(img *image.Image) []string { return img.Entrypoint })
		return
	}
	if in == nil || in.JSON || in.ArgsText == "" || !dockerfile.IsPOSIXShell(in.Shell) {
		return
	}
	sc := analyzeShellForm(in.ArgsText)
	if sc.execs {
		return
	}
	_, base, _ := pass.FinalBase()
	problem := pid1Problem(in.Shell, base, sc)
	if cmd := cfg.Cmd; cmd != nil {
		// Converting would start passing this CMD to the program: a change of
		// behaviour that the user should make knowingly, so no automatic fix.
		sc.words = nil
		extra := ", and the CMD on line " + strconv.Itoa(cmd.StartLine) + " is ignored (a shell-form ENTRYPOINT gets no arguments)"
		if problem == "" {
			// The shell hands over, so the program is PID 1; the CMD is
			// ignored all the same.
			extra = ", which replaces itself with the program, but a shell-form ENTRYPOINT gets no arguments: the CMD on line " + strconv.Itoa(cmd.StartLine) + " is ignored"
		}
		d := shellFormDiagnostic(in, sc, problem, extra)
		d.Related = []finding.Related{{Range: cmd.ArgsRange, Message: "this CMD is ignored: a shell-form ENTRYPOINT takes no arguments"}}
		if !bkcheck.Skipped(pass.File, linter.RuleJSONArgsRecommended.Name, in) {
			pass.Report(d)
		}
		return
	}
	if problem == "" {
		return // the program is PID 1, and there is no CMD to lose
	}
	if bkcheck.Skipped(pass.File, linter.RuleJSONArgsRecommended.Name, in) {
		return // `# check=skip=JSONArgsRecommended` names this rule's BuildKit form
	}
	pass.Report(shellFormDiagnostic(in, sc, problem, ", and CMD or `docker run` arguments are ignored"))
}

// checkShellFormEntrypointImage reports an image config's shell-form
// Entrypoint.
func checkShellFormEntrypointImage(pass *rule.ImagePass) {
	img := pass.Image
	if img.OS == "windows" || !image.IsShellForm(img.Entrypoint) {
		return
	}
	extra := ", and `docker run` or pod arguments are ignored"
	if len(img.Cmd) > 0 {
		extra = ", and the image's CMD " + shortList(img.Cmd) + " is ignored (a shell-form ENTRYPOINT gets no arguments)"
	}
	// With a CMD, the exec form would start passing it to the program: a
	// change the user should make knowingly, as in the Dockerfile rule.
	reportImageShellForm(pass, "ENTRYPOINT", img.Entrypoint, extra, len(img.Cmd) == 0, len(img.Cmd) > 0)
}

// checkShellFormEntrypointManifest reports a container that runs its
// image's shell-form ENTRYPOINT: command does not override it (Compose:
// entrypoint). Args given to such an entrypoint are ignored, which is said.
func checkShellFormEntrypointManifest(pass *rule.ManifestPass) {
	for _, u := range containerUses(pass.Workload) {
		c := u.Container
		if c.HasCommand {
			continue
		}
		img, _ := pass.Image(u)
		if img == nil || img.OS == "windows" || !image.IsShellForm(img.Entrypoint) {
			continue
		}
		extra := ""
		if c.HasArgs {
			extra = ", and the container's args are ignored (a shell-form ENTRYPOINT gets no arguments)"
		}
		reportManifestShellForm(pass, u, "ENTRYPOINT", img.Entrypoint, extra)
	}
}

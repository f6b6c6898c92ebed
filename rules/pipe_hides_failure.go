package rules

import (
	"path"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/runfacts"
	"github.com/dockvet/dockvet/internal/source"
)

// PipeHidesFailure is DV405.
var PipeHidesFailure = &rule.Rule{
	ID:       "DV405",
	Name:     "pipe-hides-failure",
	Severity: finding.SeverityWarning,
	Summary:  "a download is piped into another command without pipefail: a failed download still builds",
	Doc: `A pipeline's exit status is the status of its last command. In
"curl -fsSL https://example.com/install.sh | sh" a download that fails (DNS
error, 404 with -f, a dropped connection) makes curl exit non-zero, but sh reads
an empty or truncated script, exits 0, and the build carries on: the image is
built and pushed without the tool it was meant to install, or with half of it.
The failure shows up later, in production, as "command not found". The same
goes for "wget -qO- URL | tar -xz" (a truncated archive may extract partly) and
"curl URL | gpg --dearmor > key.gpg" (an empty key).

Turn on pipefail, so that the pipeline fails when any of its commands does:
SHELL ["/bin/bash", "-o", "pipefail", "-c"] before the RUN, or start the script
with "set -o pipefail &&" where the shell has it (bash, BusyBox sh, zsh, ksh).
dash, the /bin/sh of Debian and Ubuntu images, has no pipefail: there, switch
SHELL to bash. Alternatively download to a file first ("curl -fsSLo
/tmp/install.sh URL && sh /tmp/install.sh"), which also lets you verify a
checksum.

Only pipes whose producer is a download (curl, wget, fetch) are reported, in
every stage (a broken builder stage produces a broken artifact). pipefail is
followed through SHELL (-o pipefail, also in clusters such as -eo pipefail),
"set -o pipefail" (or set -euo pipefail) earlier in the same script, and shells
started with -o pipefail.`,
	Bad: `FROM debian:bookworm-slim
RUN curl -fsSL https://example.com/install.sh | sh`,
	Good: `FROM debian:bookworm-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.com/install.sh | sh`,
	Check: checkPipeHidesFailure,
}

func checkPipeHidesFailure(pass *rule.Pass) {
	facts := runFacts(pass)
	for _, in := range pass.File.Instructions {
		r := facts.Run(in)
		if r == nil || in.Stage == nil {
			continue
		}
		for _, p := range r.Pipes() {
			if p.Pipefail || !runfacts.IsDownload(p.Producer) {
				continue
			}
			consumer, status := p.Consumer.Name, p.Consumer.Name+"'s"
			rng := source.Span(p.Producer.Range, p.Consumer.NameRange)
			switch {
			case p.Consumer.Conditional && !p.Producer.Conditional:
				// The first command the front end found after the pipe runs
				// only on a failure (`curl URL | (OUT=$(apt-key add -) || echo
				// $OUT)`): the pipe reads into a group, not into that command.
				consumer, status, rng = "a command group", "the group's", p.Producer.Range
			case consumer == "":
				consumer, status = "the next command", "the next command's"
			}
			pass.Reportf(rng,
				"%s is piped into %s without pipefail: if the download fails, the pipeline still exits with %s status and the build goes on with a missing or truncated result; %s",
				p.Producer.Name, consumer, status, pipefailAdvice(in))
		}
	}
}

// pipefailAdvice says how to turn pipefail on for the RUN's shell: dash
// (Debian's and Ubuntu's /bin/sh) has none, so SHELL must change to bash.
func pipefailAdvice(in *dockerfile.Instruction) string {
	const useBash = `set SHELL ["/bin/bash", "-o", "pipefail", "-c"] before this RUN`
	shell := "sh"
	if len(in.Shell) > 0 {
		shell = path.Base(in.Shell[0])
	}
	switch shell {
	case "bash", "zsh", "ksh", "mksh", "ash", "busybox":
		return "start the script with `set -o pipefail &&`, or set SHELL [\"" + shellName(in.Shell) + "\", \"-o\", \"pipefail\", \"-c\"]"
	case "dash":
		return "dash has no pipefail: " + useBash
	case "sh":
	default:
		return useBash
	}
	base := stageRoot(in.Stage).Base
	switch baseShell(base) {
	case "dash":
		return "/bin/sh is dash on " + base.Expanded + ", which has no pipefail: " + useBash
	case "busybox":
		return "start the script with `set -o pipefail &&` (BusyBox sh has it), or set SHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]"
	case "bash":
		return "start the script with `set -o pipefail &&`, or " + useBash
	}
	return useBash + " (dash, the /bin/sh of Debian and Ubuntu, has no pipefail, so `set -o pipefail` alone fails there)"
}

// stageRoot follows FROM <stage> to the stage that names an image.
func stageRoot(s *dockerfile.Stage) *dockerfile.Stage {
	for i := 0; s.Parent != nil && i < 1000; i++ {
		s = s.Parent
	}
	return s
}

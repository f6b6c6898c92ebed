package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// JSONArgsRecommended is BuildKit's JSONArgsRecommended check (docker build --check).
var JSONArgsRecommended = &rule.Rule{
	ID:              linter.RuleJSONArgsRecommended.Name,
	Name:            "json-args-recommended",
	Severity:        finding.SeverityWarning,
	Group:           buildKitGroup,
	NeedsStageBases: true,
	YieldsTo:        []string{"DV300", "DV301"},
	Summary:         linter.RuleJSONArgsRecommended.Description,
	UpstreamURL:     linter.RuleJSONArgsRecommended.URL,
	Doc: `A CMD or ENTRYPOINT in shell form (CMD node server.js) in a stage whose image
sets no SHELL. It runs as /bin/sh -c "node server.js", and a shell that stays
PID 1 does not forward SIGTERM: docker stop and pod deletions wait out the
grace period and kill the process.

dockvet's shell-form-cmd (DV300) and shell-form-entrypoint (DV301) examine the
command the final image actually runs, with the shell that runs it; where
they report an instruction, this check does not report it again. It still
reports what BuildKit reports elsewhere: builder stages, CMDs overridden
later, and commands DV300 knows to be safe under the base image's shell.
A # check=skip=JSONArgsRecommended directive silences DV300 and DV301 too.
As in BuildKit, a shell-form command that already hands over to the
program with exec (CMD exec gunicorn app:app) is reported too; DV300 knows
better and stays silent there.
dockvet points at the arguments.`,
	Bad: `FROM node:22-slim AS test
CMD npm test`,
	Good: `FROM node:22-slim AS test
CMD ["npm", "test"]`,
	Check: func(pass *rule.Pass) { reportBuildKitWithBases(pass, linter.RuleJSONArgsRecommended.Name) },
}

package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// SyntaxError is DV000.
var SyntaxError = &rule.Rule{
	ID:       "DV000",
	Name:     "syntax-error",
	Severity: finding.SeverityError,
	Summary:  "the Dockerfile cannot be parsed; points at the bad line",
	Doc: `docker build refuses a Dockerfile that BuildKit cannot parse: an unknown
instruction, a missing argument, a flag an instruction does not accept, an
instruction other than ARG before the first FROM, a file that is not a
Dockerfile at all. The build fails, usually in CI and after a push.

dockvet reports every such place it finds, not only the first, and keeps
checking the instructions it could parse. Fix the line as the message says;
the message is BuildKit's own where BuildKit gives one.`,
	Bad: `FROM alpine:3.20
RUNN apk add --no-cache curl`,
	Good: `FROM alpine:3.20
RUN apk add --no-cache curl`,
	Check: checkSyntaxError,
}

func checkSyntaxError(pass *rule.Pass) {
	for _, e := range pass.File.Errors {
		pass.Reportf(e.Range, "%s", e.Message)
	}
}

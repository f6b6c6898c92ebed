package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// NoEmptyContinuation is BuildKit's NoEmptyContinuation check (docker build --check).
var NoEmptyContinuation = &rule.Rule{
	ID:          linter.RuleNoEmptyContinuation.Name,
	Name:        "no-empty-continuation",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleNoEmptyContinuation.Description,
	UpstreamURL: linter.RuleNoEmptyContinuation.URL,
	Doc: `An instruction continued with a backslash has an empty line in the middle.
BuildKit skips the empty line today and will make it an error in a future
release; it also usually means a line was deleted and the instruction now
ends later than the author thinks. Remove the empty line (a comment line is
fine).

dockvet points at the empty line.`,
	Bad: `FROM debian:12
RUN apt-get update && \

    apt-get install -y --no-install-recommends curl`,
	Good: `FROM debian:12
RUN apt-get update && \
    apt-get install -y --no-install-recommends curl`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleNoEmptyContinuation.Name) },
}

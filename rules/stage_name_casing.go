package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// StageNameCasing is BuildKit's StageNameCasing check (docker build --check).
var StageNameCasing = &rule.Rule{
	ID:          linter.RuleStageNameCasing.Name,
	Name:        "stage-name-casing",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleStageNameCasing.Description,
	UpstreamURL: linter.RuleStageNameCasing.URL,
	Doc: `A stage name with upper-case letters. BuildKit lower-cases stage names
when it resolves COPY --from and FROM <stage>, so "Build" and "build" are the
same stage: an upper-case name suggests a distinction that does not exist and
breaks tools that match names exactly (docker build --target is case
sensitive in some builders).

dockvet points at the stage name.`,
	Bad:   `FROM golang:1.23 AS Build`,
	Good:  `FROM golang:1.23 AS build`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleStageNameCasing.Name) },
}

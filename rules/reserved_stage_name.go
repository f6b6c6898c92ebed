package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// ReservedStageName is BuildKit's ReservedStageName check (docker build --check).
var ReservedStageName = &rule.Rule{
	ID:          linter.RuleReservedStageName.Name,
	Name:        "reserved-stage-name",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleReservedStageName.Description,
	UpstreamURL: linter.RuleReservedStageName.URL,
	Doc: `A stage is named "scratch" or "context", words BuildKit reserves: FROM
scratch means the empty image and "context" names build contexts, so a stage
with such a name cannot be referred to reliably.

dockvet points at the stage name.`,
	Bad:   `FROM alpine:3.20 AS scratch`,
	Good:  `FROM alpine:3.20 AS base`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleReservedStageName.Name) },
}

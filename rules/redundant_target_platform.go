package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// RedundantTargetPlatform is BuildKit's RedundantTargetPlatform check (docker build --check).
var RedundantTargetPlatform = &rule.Rule{
	ID:          linter.RuleRedundantTargetPlatform.Name,
	Name:        "redundant-target-platform",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleRedundantTargetPlatform.Description,
	UpstreamURL: linter.RuleRedundantTargetPlatform.URL,
	Doc: `FROM --platform=$TARGETPLATFORM says what BuildKit does by default: a stage
is built for the target platform unless told otherwise. The flag adds noise
and suggests to readers that something special happens. Remove it (keep
--platform=$BUILDPLATFORM for cross-compiling stages: that one matters).

dockvet points at the flag's value.`,
	Bad:   `FROM --platform=$TARGETPLATFORM alpine:3.20`,
	Good:  `FROM alpine:3.20`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleRedundantTargetPlatform.Name) },
}

package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// UndefinedArgInFrom is BuildKit's UndefinedArgInFrom check (docker build --check).
var UndefinedArgInFrom = &rule.Rule{
	ID:          linter.RuleUndefinedArgInFrom.Name,
	Name:        "undefined-arg-in-from",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleUndefinedArgInFrom.Description,
	UpstreamURL: linter.RuleUndefinedArgInFrom.URL,
	Doc: `A FROM line (its image or its --platform) uses a variable that no ARG before
the first FROM declares and that is not one of BuildKit's predefined ARGs
(TARGETPLATFORM, BUILDPLATFORM, TARGETARCH...). BuildKit expands it to an
empty string, so FROM node:${NODE_VERSON} pulls node: (an error) or, worse,
FROM ${REGISTRY}/app pulls from Docker Hub. The message suggests the closest
declared name.

This check replaces dockvet's unresolved-image-variable (DV202) for variables
that are not declared at all; DV202 still reports declared ARGs that have no
value. dockvet points at the variable.`,
	Bad: `ARG NODE_VERSION=22
FROM node:${NODE_VERSON}-slim`,
	Good: `ARG NODE_VERSION=22
FROM node:${NODE_VERSION}-slim`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleUndefinedArgInFrom.Name) },
}

package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// DuplicateStageName is BuildKit's DuplicateStageName check (docker build --check).
var DuplicateStageName = &rule.Rule{
	ID:          linter.RuleDuplicateStageName.Name,
	Name:        "duplicate-stage-name",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleDuplicateStageName.Description,
	UpstreamURL: linter.RuleDuplicateStageName.URL,
	Doc: `Two stages have the same name (compared case-insensitively). COPY --from
and FROM <stage> then refer to whichever BuildKit resolves, and --target
builds one of them: a later edit to "the" stage silently changes another.

dockvet points at the second stage's name.`,
	Bad: `FROM node:22 AS build
RUN npm ci
FROM node:22 AS build
RUN npm run build`,
	Good: `FROM node:22 AS deps
RUN npm ci
FROM deps AS build
RUN npm run build`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleDuplicateStageName.Name) },
}

package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// InvalidDefaultArgInFrom is BuildKit's InvalidDefaultArgInFrom check (docker build --check).
var InvalidDefaultArgInFrom = &rule.Rule{
	ID:          linter.RuleInvalidDefaultArgInFrom.Name,
	Name:        "invalid-default-arg-in-from",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleInvalidDefaultArgInFrom.Description,
	UpstreamURL: linter.RuleInvalidDefaultArgInFrom.URL,
	Doc: `With the ARG defaults alone (no --build-arg), a FROM names no valid image:
FROM ${BASE} where ARG BASE has no default, or a default that expands to an
invalid reference. Anyone who runs docker build without knowing the build
arguments gets an error instead of an image; CI jobs that forget one fail
late. Give the ARG a working default. BuildKit also reports a FROM that
names an invalid reference without any ARG (FROM REPLACE-ME in a template),
with the same message.

dockvet points at the image reference.`,
	Bad: `ARG BASE
FROM ${BASE}`,
	Good: `ARG BASE=alpine:3.20
FROM ${BASE}`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleInvalidDefaultArgInFrom.Name) },
}

package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// FromAsCasing is BuildKit's FromAsCasing check (docker build --check).
var FromAsCasing = &rule.Rule{
	ID:          linter.RuleFromAsCasing.Name,
	Name:        "from-as-casing",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleFromAsCasing.Description,
	UpstreamURL: linter.RuleFromAsCasing.URL,
	Doc: `FROM and AS are written in different cases (FROM node AS build is fine,
FROM node as build is not). BuildKit reads both the same way; the mixed
casing is a style problem that makes a Dockerfile look like two authors
disagreed, and BuildKit warns about it on every build.

dockvet points at the AS keyword. A FROM keyword that is itself mixed case
(From) is reported by ConsistentInstructionCasing instead.`,
	Bad:   `FROM golang:1.23 as build`,
	Good:  `FROM golang:1.23 AS build`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleFromAsCasing.Name) },
}

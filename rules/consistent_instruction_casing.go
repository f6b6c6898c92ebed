package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// ConsistentInstructionCasing is BuildKit's ConsistentInstructionCasing check (docker build --check).
var ConsistentInstructionCasing = &rule.Rule{
	ID:          linter.RuleConsistentInstructionCasing.Name,
	Name:        "consistent-instruction-casing",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleConsistentInstructionCasing.Description,
	UpstreamURL: linter.RuleConsistentInstructionCasing.URL,
	Doc: `Instruction keywords are written in mixed case (From, Run) or against the
file's majority (one "run" in a file of upper-case instructions). BuildKit
accepts any case; the inconsistency is a readability problem and hides
instructions from grep. The message says which case the file mostly uses.

dockvet points at the keyword.`,
	Bad: `FROM alpine:3.20
run apk add --no-cache curl`,
	Good: `FROM alpine:3.20
RUN apk add --no-cache curl`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleConsistentInstructionCasing.Name) },
}

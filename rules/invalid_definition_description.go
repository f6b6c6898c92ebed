package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/bkcheck"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// InvalidDefinitionDescription is BuildKit's InvalidDefinitionDescription check (docker build --check).
var InvalidDefinitionDescription = &rule.Rule{
	ID:         linter.RuleInvalidDefinitionDescription.Name,
	Name:       "invalid-definition-description",
	Severity:   finding.SeverityWarning,
	Group:      buildKitGroup,
	DefaultOff: true,
	OptIn: func(f *dockerfile.File) bool {
		return bkcheck.ExperimentalOptIn(f, linter.RuleInvalidDefinitionDescription.Name)
	},
	Summary:     linter.RuleInvalidDefinitionDescription.Description,
	UpstreamURL: linter.RuleInvalidDefinitionDescription.URL,
	Doc: `A comment directly above a named stage (FROM ... AS name) or an ARG that does
not start with the name it describes. BuildKit reads such comments as
descriptions (shown by docker buildx build --call=outline) when they follow
the form "# <name> <description>"; any other comment directly above is taken
as a malformed description. Start the comment with the name, or separate it
from the instruction with an empty comment line.

This check is experimental in BuildKit and off by default in dockvet: turn
it on with --enable InvalidDefinitionDescription (or enable: in
.dockvet.yaml), or in the file with BuildKit's own directive
# check=experimental=InvalidDefinitionDescription (or experimental=all) in
its first lines. As in BuildKit, skip= lists do not silence it once it is
on. dockvet points at the name.`,
	Bad: `# Version of Node to build with
ARG NODE_VERSION=22`,
	Good: `# NODE_VERSION is the version of Node to build with
ARG NODE_VERSION=22`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleInvalidDefinitionDescription.Name) },
}

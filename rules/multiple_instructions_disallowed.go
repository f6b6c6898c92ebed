package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// MultipleInstructionsDisallowed is BuildKit's MultipleInstructionsDisallowed check (docker build --check).
var MultipleInstructionsDisallowed = &rule.Rule{
	ID:          linter.RuleMultipleInstructionsDisallowed.Name,
	Name:        "multiple-instructions-disallowed",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleMultipleInstructionsDisallowed.Description,
	UpstreamURL: linter.RuleMultipleInstructionsDisallowed.URL,
	Doc: `A stage has two CMD, two ENTRYPOINT or two HEALTHCHECK instructions. Only
the last one takes effect; the earlier one is dead code that readers take for
the real command (and edit in vain). Delete it, or merge the two.

dockvet points at the earlier instruction, which is ignored, with the one
that replaces it as related location.`,
	Bad: `FROM nginx:1.27
CMD ["nginx"]
CMD ["nginx", "-g", "daemon off;"]`,
	Good: `FROM nginx:1.27
CMD ["nginx", "-g", "daemon off;"]`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleMultipleInstructionsDisallowed.Name) },
}

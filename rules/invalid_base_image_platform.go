package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// InvalidBaseImagePlatform is BuildKit's InvalidBaseImagePlatform check (docker build --check).
var InvalidBaseImagePlatform = &rule.Rule{
	ID:              linter.RuleInvalidBaseImagePlatform.Name,
	Name:            "invalid-base-image-platform",
	Severity:        finding.SeverityWarning,
	Group:           buildKitGroup,
	NeedsStageBases: true,
	Summary:         linter.RuleInvalidBaseImagePlatform.Description,
	UpstreamURL:     linter.RuleInvalidBaseImagePlatform.URL,
	Doc: `The base image's config says it is built for another platform than the
stage builds for (--platform, FROM --platform, or linux/amd64 by default): an
arm64-only image used for an amd64 build. The build then runs under
emulation or fails with "exec format error" in the first RUN, and the image
cannot run on the intended nodes.

dockvet reads the base image through its resolver (for the requested
platform); when the base is unknown the check stays silent. It points at the
image reference.`,
	Bad:   `FROM --platform=linux/amd64 some-registry/arm64-only-tool:1.0`,
	Good:  `FROM --platform=linux/arm64 some-registry/arm64-only-tool:1.0`,
	Check: func(pass *rule.Pass) { reportBuildKitWithBases(pass, linter.RuleInvalidBaseImagePlatform.Name) },
}

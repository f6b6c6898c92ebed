package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// FromPlatformFlagConstDisallowed is BuildKit's FromPlatformFlagConstDisallowed check (docker build --check).
var FromPlatformFlagConstDisallowed = &rule.Rule{
	ID:          linter.RuleFromPlatformFlagConstDisallowed.Name,
	Name:        "from-platform-flag-const-disallowed",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleFromPlatformFlagConstDisallowed.Description,
	UpstreamURL: linter.RuleFromPlatformFlagConstDisallowed.URL,
	Doc: `FROM --platform=linux/amd64 with a constant. A multi-platform build
(--platform linux/amd64,linux/arm64) then builds this stage for amd64 in
every variant, and the arm64 image ships amd64 binaries. Use
$BUILDPLATFORM (a cross-compiling builder stage) or $TARGETPLATFORM, or no
flag at all.

As BuildKit, a stage whose name mentions the platform's OS or architecture
(FROM --platform=linux/arm64 alpine AS build-arm64) is taken as deliberate.
dockvet points at the flag's value.`,
	Bad:   `FROM --platform=linux/amd64 golang:1.23 AS build`,
	Good:  `FROM --platform=$BUILDPLATFORM golang:1.23 AS build`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleFromPlatformFlagConstDisallowed.Name) },
}

package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// MaintainerDeprecated is BuildKit's MaintainerDeprecated check (docker build --check).
var MaintainerDeprecated = &rule.Rule{
	ID:          linter.RuleMaintainerDeprecated.Name,
	Name:        "maintainer-deprecated",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleMaintainerDeprecated.Description,
	UpstreamURL: linter.RuleMaintainerDeprecated.URL,
	Doc: `MAINTAINER is deprecated: it sets the legacy "author" field that nothing
reads. Use the OCI label, which registries, scanners and docker inspect
show.`,
	Bad: `FROM alpine:3.20
MAINTAINER Jane Doe <jane@example.com>`,
	Good: `FROM alpine:3.20
LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleMaintainerDeprecated.Name) },
}

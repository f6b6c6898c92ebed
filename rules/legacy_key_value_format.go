package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// LegacyKeyValueFormat is BuildKit's LegacyKeyValueFormat check (docker build --check).
var LegacyKeyValueFormat = &rule.Rule{
	ID:          linter.RuleLegacyKeyValueFormat.Name,
	Name:        "legacy-key-value-format",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleLegacyKeyValueFormat.Description,
	UpstreamURL: linter.RuleLegacyKeyValueFormat.URL,
	Doc: `ENV key value and LABEL key value, the legacy form with a space instead of
"=". Everything after the first space becomes the value, so ENV PATH /opt/bin
$PATH works by accident and ENV A 1 B 2 sets A to "1 B 2". BuildKit
deprecates the form. Write key=value (quote values with spaces).

dockvet points at the key.`,
	Bad: `FROM alpine:3.20
ENV APP_HOME /srv/app`,
	Good: `FROM alpine:3.20
ENV APP_HOME=/srv/app`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleLegacyKeyValueFormat.Name) },
}

package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// LatestTag is DV200.
var LatestTag = &rule.Rule{
	ID:       "DV200",
	Name:     "latest-tag",
	Severity: finding.SeverityWarning,
	Summary:  "an image reference uses the tag `latest`",
}

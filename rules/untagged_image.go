package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// UntaggedImage is DV201.
var UntaggedImage = &rule.Rule{
	ID:       "DV201",
	Name:     "untagged-image",
	Severity: finding.SeverityWarning,
	Summary:  "an image reference has no tag and no digest (implicitly `latest`)",
}

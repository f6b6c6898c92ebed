package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// UnpinnedImage is DV203.
var UnpinnedImage = &rule.Rule{
	ID:         "DV203",
	Name:       "unpinned-image",
	Severity:   finding.SeverityInfo,
	DefaultOff: true,
	Summary:    "an image reference has no @sha256 digest",
}

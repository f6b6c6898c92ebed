package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// UnresolvedImageVariable is DV202.
var UnresolvedImageVariable = &rule.Rule{
	ID:       "DV202",
	Name:     "unresolved-image-variable",
	Severity: finding.SeverityInfo,
	Summary:  "an image reference still contains a variable after ARG expansion",
}

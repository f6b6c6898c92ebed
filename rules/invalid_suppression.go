package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// InvalidSuppression is DV002.
var InvalidSuppression = &rule.Rule{
	ID:       "DV002",
	Name:     "invalid-suppression",
	Severity: finding.SeverityInfo,
	Summary:  "an inline suppression names an unknown rule or is malformed",
}

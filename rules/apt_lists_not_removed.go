package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// AptListsNotRemoved is DV400.
var AptListsNotRemoved = &rule.Rule{
	ID:       "DV400",
	Name:     "apt-lists-not-removed",
	Severity: finding.SeverityWarning,
	Summary:  "apt-get install without removing /var/lib/apt/lists in the same RUN",
}

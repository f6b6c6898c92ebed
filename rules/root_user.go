package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// RootUser is DV302.
var RootUser = &rule.Rule{
	ID:       "DV302",
	Name:     "root-user",
	Severity: finding.SeverityWarning,
	Summary:  "the final image runs as root",
}

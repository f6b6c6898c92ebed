package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// AptUpdateAlone is DV402.
var AptUpdateAlone = &rule.Rule{
	ID:       "DV402",
	Name:     "apt-update-alone",
	Severity: finding.SeverityWarning,
	Summary:  "apt-get update in a RUN without an install",
}

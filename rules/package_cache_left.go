package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// PackageCacheLeft is DV403.
var PackageCacheLeft = &rule.Rule{
	ID:       "DV403",
	Name:     "package-cache-left",
	Severity: finding.SeverityInfo,
	Summary:  "a package manager leaves its download cache in the layer",
}

package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// SplitAptCleanup is DV401.
var SplitAptCleanup = &rule.Rule{
	ID:       "DV401",
	Name:     "split-apt-cleanup",
	Severity: finding.SeverityWarning,
	Summary:  "apt cleanup in a later RUN than the install: the earlier layer keeps the bytes",
}

package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// RemovedInLaterLayer is DV404.
var RemovedInLaterLayer = &rule.Rule{
	ID:       "DV404",
	Name:     "removed-in-later-layer",
	Severity: finding.SeverityWarning,
	Summary:  "a RUN deletes files an earlier instruction added: the bytes stay in the earlier layer",
}

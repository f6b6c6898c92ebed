package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// VolumeMalformedJSON is DV103.
var VolumeMalformedJSON = &rule.Rule{
	ID:       "DV103",
	Name:     "volume-malformed-json",
	Severity: finding.SeverityError,
	Summary:  "VOLUME with brackets that are not valid JSON creates literal paths like `[/a,`",
}

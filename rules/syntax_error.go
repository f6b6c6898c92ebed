package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// SyntaxError is DV000.
var SyntaxError = &rule.Rule{
	ID:       "DV000",
	Name:     "syntax-error",
	Severity: finding.SeverityError,
	Summary:  "the Dockerfile cannot be parsed",
}

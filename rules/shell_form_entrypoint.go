package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// ShellFormEntrypoint is DV301.
var ShellFormEntrypoint = &rule.Rule{
	ID:       "DV301",
	Name:     "shell-form-entrypoint",
	Severity: finding.SeverityWarning,
	Summary:  "the final image's ENTRYPOINT uses shell form: SIGTERM is lost and CMD is ignored",
}

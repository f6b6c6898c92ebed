package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// ShellFormCmd is DV300.
var ShellFormCmd = &rule.Rule{
	ID:       "DV300",
	Name:     "shell-form-cmd",
	Severity: finding.SeverityWarning,
	Summary:  "the final image's CMD uses shell form: /bin/sh is PID 1 and does not forward SIGTERM",
}

package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// InvalidSuppression is DV002.
var InvalidSuppression = &rule.Rule{
	ID:       "DV002",
	Name:     "invalid-suppression",
	Severity: finding.SeverityInfo,
	Summary:  "an inline suppression or config entry names a rule that does not exist, or is malformed",
	Doc: `A suppression that does not work is worse than none: it tells the reader a
finding was looked at and accepted, while the finding it meant to silence (or
a later one) still fails the build, or a typo silences nothing at all.

The rule reports a # dockvet ignore= or # dockvet global ignore= comment that
names an unknown rule (ids such as DV100 and names such as
volume-instruction are both accepted), that is malformed, or that is not
directly above an instruction and so applies to nothing. Unknown rule names
in a config file are reported under this rule too.

Fix the name (dockvet rules lists them all), or move the comment to the
line(s) directly above the instruction it is about; use
# dockvet global ignore=RULE to suppress a rule for the whole file.`,
	Bad: `# dockvet ignore=DV999
FROM node:latest`,
	Good: `# dockvet ignore=DV200 base image tag is managed by the release pipeline
FROM node:latest`,
	Check: checkInvalidSuppression,
}

func checkInvalidSuppression(pass *rule.Pass) {
	for _, s := range pass.File.Suppressions {
		if s.Problem != "" {
			pass.Reportf(s.Range, "%s", s.Problem)
		}
		kind := "dockvet ignore comment"
		if s.Global {
			kind = "dockvet global ignore comment"
		}
		for _, r := range s.Rules {
			if pass.KnownRule != nil && !pass.KnownRule(r.Name) {
				pass.Reportf(r.Range, "unknown rule %q in %s: it suppresses nothing; `dockvet rules` lists the rule ids and names", r.Name, kind)
			}
		}
	}
}

package rules

import (
	"github.com/dockvet/dockvet/internal/bkcheck"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/ruledoc"
)

// buildKitGroup is the `dockvet rules` group of BuildKit's checks.
const buildKitGroup = ruledoc.BuildKit

// reportBuildKit is the work of the Check of the rule that carries
// BuildKit's check name: it reports what the shared analysis found for it
// (bkcheck runs all of BuildKit's checks once per file). Each rule's Check
// is a function literal calling it, which the compiler lays out, not a
// closure built at start-up.
func reportBuildKit(pass *rule.Pass, name string) {
	res := rule.ResultOf(pass, bkcheck.Analysis)
	reportWarnings(pass, res, res.Of(name))
}

// reportWarnings reports BuildKit's warnings, as errors when the file's
// `# check=error=true` says so.
func reportWarnings(pass *rule.Pass, res *bkcheck.Result, ws []bkcheck.Warning) {
	for _, w := range ws {
		d := rule.Diagnostic{Range: w.Range, Message: w.Message, Related: w.Related, Fix: w.Fix}
		if res.AsError {
			d.MinSeverity = finding.SeverityError
		}
		pass.Report(d)
	}
}

// reportBuildKitWithBases is reportBuildKit for the checks whose verdict
// depends on base images (their ENV, SHELL, platform): the warnings the base
// images confirm are added, read through dockvet's resolver and cache.
func reportBuildKitWithBases(pass *rule.Pass, name string) {
	reportBuildKit(pass, name)
	res := rule.ResultOf(pass, bkcheck.Analysis)
	reportWarnings(pass, res, res.Resolved(name, bkcheck.PassBases(pass)))
}

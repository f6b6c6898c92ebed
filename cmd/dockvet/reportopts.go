package main

import (
	"os"
	"strings"

	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/report"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/ruledoc"
	"github.com/dockvet/dockvet/rules"
)

// informationURI is dockvet's home, named in SARIF.
const informationURI = "https://github.com/dockvet/dockvet"

// reportOptions is what the formats need besides the findings: the rules
// that ran in any of the engines, as data (formats import no rule), the tool,
// the working directory (SARIF relative paths) and the environment (github:
// GITHUB_STEP_SUMMARY). images is true for `dockvet image`, where a
// finding's file is an image reference and only image checks ran. The rules
// are described only for a format that lists them: rendering every rule's
// documentation was most of a one-file run's own work.
func (e *env) reportOptions(format string, color, images bool, engines ...*engine.Engine) report.Options {
	wd, _ := os.Getwd() // unknown: absolute paths stay file: URIs
	opts := report.Options{
		Color:   color,
		Tool:    report.ToolInfo{Name: "dockvet", Version: versionString(), InformationURI: informationURI},
		Images:  images,
		WorkDir: wd,
		Getenv:  e.getenv,
	}
	if report.ListsRules(format) {
		opts.Rules = rulesThatRan(images, engines)
	}
	return opts
}

// rulesThatRan lists, in id order, the rules enabled in at least one engine
// that apply to the subcommand.
func rulesThatRan(images bool, engines []*engine.Engine) []report.RuleInfo {
	var out []report.RuleInfo
	for _, r := range rules.All() {
		if (images && r.CheckImage == nil) || (!images && r.Check == nil) {
			continue
		}
		for _, eng := range engines {
			if eng == nil {
				continue
			}
			if _, on := eng.Enabled(r); on {
				out = append(out, ruleInfo(r))
				break
			}
		}
	}
	return out
}

func ruleInfo(r *rule.Rule) report.RuleInfo {
	var help strings.Builder
	_ = ruledoc.Text(&help, r) // a strings.Builder does not fail
	return report.RuleInfo{
		ID: r.ID, Name: r.Name, Summary: r.Summary, Doc: r.Doc,
		Help: help.String(), HelpURI: r.URL(), DefaultSeverity: r.Severity,
	}
}

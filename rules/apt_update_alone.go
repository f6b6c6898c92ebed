package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/runfacts"
	"github.com/dockvet/dockvet/internal/source"
)

// AptUpdateAlone is DV402.
var AptUpdateAlone = &rule.Rule{
	ID:       "DV402",
	Name:     "apt-update-alone",
	Severity: finding.SeverityWarning,
	Summary:  "apt-get update in a RUN without an install: later builds install from a stale cached index",
	Doc: `Docker caches each RUN by its text. A RUN that only runs "apt-get update" is
reused from the build cache for weeks, so the "apt-get install" in a later RUN
(re-run when you add a package) reads an old index: it installs outdated
versions or fails with "404 Not Found" once the mirror has dropped them. This is
a correctness problem, so the rule checks every stage, builders included. In
the final image the index also stays in the update's layer for good.

Run "apt-get update" in the same RUN as the install that needs it, and remove the
lists at the end of that RUN. The rule stays silent when the RUN runs anything
that might install packages (a script, make, a variable command): it reports
only an update that is certainly alone.`,
	Bad: `FROM debian:bookworm-slim
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*`,
	Good: `FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*`,
	Check:      checkAptUpdateAlone,
	CheckImage: func(ip *rule.ImagePass) { historyCheck(ip, checkAptUpdateAlone, "") },
}

func checkAptUpdateAlone(pass *rule.Pass) {
	for _, in := range pass.File.Instructions {
		if in.Stage == nil {
			continue
		}
		run := runFacts(pass).Run(in)
		if run == nil {
			continue
		}
		r := run.Apt()
		if r == nil {
			continue
		}
		st, ok := r.UpdateAlone()
		if !ok {
			continue
		}
		fix := mergeUpdateFix(runFacts(pass), run)
		if r.Mounted || !pass.File.InFinal(in.Stage) {
			pass.Report(rule.Diagnostic{Range: st.Rng, Fix: fix, Message: fmt.Sprintf("%s without an install in the same RUN: the build cache keeps this RUN's result, so a later install reads a stale index (old versions, 404s); run update and install in one RUN", st.Verb)})
			continue
		}
		pass.Report(rule.Diagnostic{Range: st.Rng, Fix: fix, Message: fmt.Sprintf("%s without an install in the same RUN: the build cache keeps this RUN's result, so a later install reads a stale index (old versions, 404s), and this layer keeps %s; run update, install and `rm -rf /var/lib/apt/lists/*` in one RUN", st.Verb, runfacts.AptListsDir)})
	}
}

// sameNetwork reports whether a RUN has the network the update RUN (which
// has no flags) had: no --network other than default, no --security.
// `apt-get update` merged into a RUN --network=none would fail the build.
func sameNetwork(in *dockerfile.Instruction) bool {
	for _, fl := range in.Flags {
		switch fl.Name {
		case "network":
			if fl.Value != "default" {
				return false
			}
		case "security":
			return false
		}
	}
	return true
}

// mergeUpdateFix deletes an apt-get update RUN and starts the next
// instruction with it (`apt-get update && ...`) when that instruction is
// the RUN that installs: both RUNs plain && chains, the update RUN without
// flags and running only the update, the next one installing with apt
// before any update of its own.
func mergeUpdateFix(facts *runfacts.Facts, update *runfacts.Run) *finding.Fix {
	in := update.In
	if len(in.Flags) > 0 || len(update.Calls) != 1 || !update.AndChain() {
		return nil
	}
	idx := slices.Index(in.Stage.Instructions, in)
	if idx < 0 || idx+1 >= len(in.Stage.Instructions) {
		return nil
	}
	next := facts.Run(in.Stage.Instructions[idx+1])
	if next == nil || !next.AndChain() || !sameNetwork(next.In) {
		return nil
	}
	a := next.Apt()
	if a == nil || len(a.Steps) == 0 || a.Steps[0].Op != runfacts.AptInstall {
		return nil
	}
	return &finding.Fix{
		Description: "run apt-get update in the RUN that installs",
		Edits: []finding.Edit{
			{Range: runfacts.LinesRange(in.StartLine, in.EndLine)},
			{Range: source.Range{Start: next.In.ArgsRange.Start, End: next.In.ArgsRange.Start}, NewText: strings.TrimSpace(in.Script.Text) + " && "},
		},
	}
}

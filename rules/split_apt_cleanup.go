package rules

import (
	"fmt"
	"strings"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/runfacts"
)

// SplitAptCleanup is DV401.
var SplitAptCleanup = &rule.Rule{
	ID:       "DV401",
	Name:     "split-apt-cleanup",
	Severity: finding.SeverityWarning,
	Summary:  "apt lists removed in a later RUN than the install: the earlier layer keeps the bytes",
	Doc: `An image is a stack of layers, one per RUN, and a layer can only add files or
mark them deleted. When "apt-get update" and "apt-get install" run in one RUN and
"rm -rf /var/lib/apt/lists/*" runs in a later one, the index is already frozen in
the earlier layer: the later RUN only hides it. The image is exactly as large as
without the cleanup, and a reader of the Dockerfile believes the opposite.

Move the cleanup into the RUN that ran apt-get update and install, chained with
&&. The finding points at the cleanup and lists the RUNs it was meant for as
related locations; those installs are not reported again as
apt-lists-not-removed (DV400). A later RUN that runs its own "apt-get update"
before its cleanup is not reported: it removes the lists it downloaded itself,
while the earlier layer keeps its own copy whatever a later RUN deletes, so the
earlier install is reported as apt-lists-not-removed (DV400). Only the final
image is judged (the target stage and the stages it is built FROM).`,
	Bad: `FROM ubuntu:24.04
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl
RUN rm -rf /var/lib/apt/lists/*`,
	Good: `FROM ubuntu:24.04
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*`,
	Check:      checkSplitAptCleanup,
	CheckImage: func(ip *rule.ImagePass) { historyCheck(ip, checkSplitAptCleanup, "") },
}

func checkSplitAptCleanup(pass *rule.Pass) {
	facts := runFacts(pass)
	for _, s := range facts.AptChain().Splits {
		first := s.Earlier[0].Culprit()
		what := first.Verb + " on " + lineList(s.Earlier)
		if len(s.Earlier) > 1 {
			what = "the apt-get calls on " + lineList(s.Earlier)
		}
		pass.Report(rule.Diagnostic{
			Range: s.Cleanup.CleanupRng,
			Message: fmt.Sprintf("%s is removed in a later RUN than %s: that layer already holds the lists, so this shrinks nothing; run apt-get update, the install and the cleanup in one RUN (`apt-get update && apt-get install ... && rm -rf /var/lib/apt/lists/*`)",
				runfacts.AptListsDir, what),
			Related: relatedSteps(s.Earlier),
			Fix:     mergeCleanupFix(facts, s),
		})
	}
}

// readsAptLists reports whether a RUN calls a program that reads the
// package lists (apt-cache policy, apt list, dpkg tools...): moving the
// cleanup before it would change what it sees.
func readsAptLists(r *runfacts.Run) bool {
	for _, c := range r.Calls {
		if strings.HasPrefix(c.Name, "apt") || strings.HasPrefix(c.Name, "dpkg") || c.Name == "add-apt-repository" {
			return true
		}
	}
	return false
}

// mergeCleanupFix moves the cleanup RUN's script to the end of the RUN that
// installed (`&& rm -rf ...`) and deletes the cleanup RUN, when that is
// surely the same build: one earlier RUN, in the same stage; a cleanup RUN
// without flags that runs nothing but removals and apt's own cleaning,
// joined by &&; and between the two only RUNs that do not use apt.
func mergeCleanupFix(facts *runfacts.Facts, s runfacts.AptSplit) *finding.Fix {
	if len(s.Earlier) != 1 {
		return nil
	}
	install, cleanup := s.Earlier[0].Run, s.Cleanup.Run
	if install.In.Stage == nil || install.In.Stage != cleanup.In.Stage || len(cleanup.In.Flags) > 0 || !cleanup.AndChain() {
		return nil
	}
	for _, c := range cleanup.Calls {
		if op, _ := runfacts.AptClassify(c); c != s.Cleanup.Cleanup && c.Name != "rm" && op != runfacts.AptBenign {
			return nil
		}
	}
	between := false
	for _, in := range install.In.Stage.Instructions {
		switch {
		case in == install.In:
			between = true
		case in == cleanup.In:
			between = false
		case between:
			if r := facts.Run(in); r == nil || len(r.Calls) == 0 || r.Apt() != nil && len(r.Apt().Steps) > 0 || readsAptLists(r) {
				return nil
			}
		}
	}
	add, ok := facts.ChainAfter(install, strings.TrimSpace(cleanup.In.Script.Text))
	if !ok {
		return nil
	}
	return &finding.Fix{
		Description: "move the cleanup into the RUN that installs",
		Edits:       []finding.Edit{add, {Range: runfacts.LinesRange(cleanup.In.StartLine, cleanup.In.EndLine)}},
	}
}

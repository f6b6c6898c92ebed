package rules

import (
	"fmt"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/runfacts"
)

// AptListsNotRemoved is DV400.
var AptListsNotRemoved = &rule.Rule{
	ID:       "DV400",
	Name:     "apt-lists-not-removed",
	Severity: finding.SeverityWarning,
	Summary:  "apt-get install without removing /var/lib/apt/lists in the same RUN",
	Doc: `apt-get update downloads the package index into /var/lib/apt/lists: tens of
megabytes that the running container never needs. Every RUN is a layer, and a
layer keeps whatever its RUN left behind, so the index ships in every copy of the
image unless the same RUN that installed the packages removes it.

End the RUN that installs with "rm -rf /var/lib/apt/lists/*" (or "apt-get
dist-clean" where apt has it), chained after the install. Note that "apt-get
clean" does not remove the lists: it only empties /var/cache/apt/archives.
Alternatively keep the lists out of the image with
"RUN --mount=type=cache,target=/var/lib/apt/lists" (or a tmpfs mount).

The rule judges the final image only (the target stage and the stages it is built
FROM): a builder stage's layers never ship. A cleanup that runs only when the
install failed ("|| rm ...") does not count, nor one that runs before the
install. When a later RUN only removes the lists, that later cleanup is
reported instead (split-apt-cleanup, DV401): it shrinks nothing. A later RUN
that runs its own apt-get update, install and cleanup does not clean this
layer: this install is still reported. An install in a RUN
without "apt-get update" is not reported again when an earlier RUN already left
the lists behind: that earlier RUN is the one to fix (and to merge with).`,
	Bad: `FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl`,
	Good: `FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*`,
	Check: checkAptListsNotRemoved,
	CheckImage: func(ip *rule.ImagePass) {
		historyCheck(ip, checkAptListsNotRemoved, "; image history does not record RUN --mount, so if this RUN kept the lists in a cache mount, nothing was left behind")
	},
}

func checkAptListsNotRemoved(pass *rule.Pass) {
	facts := runFacts(pass)
	for _, r := range facts.AptChain().Unclean {
		st, ok := r.FirstPending(runfacts.AptInstall)
		if !ok {
			continue // an update alone is DV402's finding
		}
		note := ""
		if w := r.Run.BraceMiss(st.Index, runfacts.AptLists); w != "" {
			note = " (`" + w + "` removes nothing: " + shellName(r.Run.In.Shell) + " does not expand {a,b} braces; list the paths)"
		}
		if !r.HasUpdate() {
			if r.AfterLeftover {
				continue // the earlier RUN that left the lists is the finding
			}
			pass.Reportf(st.Rng, "%s in a RUN that neither runs apt-get update nor removes %s: it relies on an index kept by the base image or an earlier layer; run apt-get update, the install and `rm -rf /var/lib/apt/lists/*` in one RUN%s", st.Verb, runfacts.AptListsDir, note)
			continue
		}
		pass.Report(rule.Diagnostic{
			Range:   st.Rng,
			Message: fmt.Sprintf("%s without removing %s in the same RUN: the package index (tens of MB) stays in this layer for good; end the RUN with `&& rm -rf /var/lib/apt/lists/*`%s", st.Verb, runfacts.AptListsDir, note),
			Fix:     removeListsFix(facts, r.Run),
		})
	}
}

// removeListsFix ends the RUN with `&& rm -rf /var/lib/apt/lists/*`; nil
// when the place is not sure (runfacts.ChainAfter) or a later RUN installs
// from these lists without its own apt-get update (removing them would
// break it).
func removeListsFix(facts *runfacts.Facts, r *runfacts.Run) *finding.Fix {
	if facts.AptListsNeededAfter(r) {
		return nil
	}
	e, ok := facts.ChainAfter(r, "rm -rf /var/lib/apt/lists/*")
	if !ok {
		return nil
	}
	return &finding.Fix{Description: "end the RUN with && rm -rf /var/lib/apt/lists/*", Edits: []finding.Edit{e}}
}

// historyCheck runs a Dockerfile check on an image's history read as a
// Dockerfile (imagesrc.HistoryDockerfile: line i is history entry i, RUN
// entries hold their scripts). Each message starts with the history entry it
// is about, quoted, since only the text format shows the line; note is
// appended. Fixes are dropped: there is no file to edit.
func historyCheck(ip *rule.ImagePass, check func(*rule.Pass), note string) {
	if ip.History == nil {
		return
	}
	known := func(string) bool { return true }
	check(rule.NewPass(ip.Rule, ip.History, known, func(d rule.Diagnostic) {
		if n := d.Range.Start.Line; n >= 1 && n <= len(ip.Image.History) {
			d.Message = entryRef(n, imagesrc.QuoteEntry(ip.Image.History[n-1].CreatedBy)) + ": " + d.Message
		}
		d.Message += note
		d.Fix = nil
		ip.Report(d)
	}))
}

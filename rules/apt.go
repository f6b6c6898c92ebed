package rules

import (
	"fmt"
	"strings"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/runfacts"
)

// Message helpers of the apt rules DV400 (apt-lists-not-removed), DV401
// (split-apt-cleanup) and DV402 (apt-update-alone); the apt analysis itself
// is runfacts.AptRun and runfacts.AptChain.

// lineList formats the lines of the RUNs: "line 3" or "lines 3 and 5".
func lineList(runs []*runfacts.AptRun) string {
	nums := make([]string, len(runs))
	for i, r := range runs {
		nums[i] = fmt.Sprint(r.Culprit().Rng.Start.Line)
	}
	if len(nums) == 1 {
		return "line " + nums[0]
	}
	return "lines " + strings.Join(nums[:len(nums)-1], ", ") + " and " + nums[len(nums)-1]
}

// relatedSteps points at the culprit of each earlier RUN.
func relatedSteps(runs []*runfacts.AptRun) []finding.Related {
	out := make([]finding.Related, len(runs))
	for i, r := range runs {
		st := r.Culprit()
		out[i] = finding.Related{Range: st.Rng, Message: fmt.Sprintf("%s runs here; this layer keeps %s", st.Verb, runfacts.AptListsDir)}
	}
	return out
}

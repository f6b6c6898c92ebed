package rules

import (
	"cmp"
	"slices"
	"testing"
)

// All lists dockvet's own rules in id order, then each group (BuildKit's
// checks) together: `dockvet rules`, the docs and SARIF follow this order.
func TestAllOrder(t *testing.T) {
	all := All()
	var own []string
	lastGroup, seen := "", map[string]bool{}
	for _, r := range all {
		if r.Group == "" {
			if lastGroup != "" {
				t.Errorf("%s (dockvet's own) comes after group %s", r, lastGroup)
			}
			own = append(own, r.ID)
			continue
		}
		if r.Group != lastGroup && seen[r.Group] {
			t.Errorf("group %s is split (at %s)", r.Group, r)
		}
		lastGroup, seen[r.Group] = r.Group, true
	}
	if !slices.IsSortedFunc(own, func(a, b string) int { return cmp.Compare(a, b) }) {
		t.Errorf("dockvet's rules are not in id order: %v", own)
	}
}

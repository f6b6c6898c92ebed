package bkcheck

import (
	"fmt"
	"slices"
	"testing"
)

// The scope answers the same with or without its index: past indexFrom
// variables, values set before and after the index was made are found, an
// update keeps the variable's place, and a clone is independent.
func TestEnvListIndex(t *testing.T) {
	e := newEnvList(0)
	var want []string
	for i := range 2 * indexFrom {
		k := fmt.Sprintf("V%d", i)
		e.set(k, "a")
		want = append(want, k)
	}
	if e.index == nil {
		t.Fatal("no index past indexFrom variables")
	}
	e.set("V0", "b")
	e.set(fmt.Sprintf("V%d", 2*indexFrom-1), "c")
	c := e.clone()
	c.set("NEW", "d")
	c.set("V1", "e")
	for _, tc := range []struct {
		env  *envList
		k, v string
		ok   bool
	}{
		{e, "V0", "b", true}, {e, "V5", "a", true}, {e, fmt.Sprintf("V%d", 2*indexFrom-1), "c", true},
		{e, "NEW", "", false}, {e, "V1", "a", true},
		{c, "NEW", "d", true}, {c, "V1", "e", true}, {c, "V0", "b", true},
	} {
		if v, ok := tc.env.Get(tc.k); v != tc.v || ok != tc.ok {
			t.Errorf("Get(%s) = %q, %v; want %q, %v", tc.k, v, ok, tc.v, tc.ok)
		}
	}
	if !slices.Equal(e.Keys(), want) {
		t.Errorf("keys out of order: %v", e.Keys())
	}
	if got := c.Keys(); len(got) != len(want)+1 || got[len(got)-1] != "NEW" {
		t.Errorf("clone keys: %v", got)
	}
}

package bkcheck

import (
	"iter"
	"maps"
	"slices"
)

// envList is a variable scope in the order variables were set, as
// BuildKit's llb.EnvList (a shell.EnvGetter for its lexer).
type envList struct {
	keys []string
	vals map[string]string
}

// Get implements shell.EnvGetter.
func (e *envList) Get(k string) (string, bool) {
	v, ok := e.vals[k]
	return v, ok
}

// Keys implements shell.EnvGetter.
func (e *envList) Keys() []string { return e.keys }

func (e *envList) has(k string) bool {
	_, ok := e.vals[k]
	return ok
}

// newEnvList returns an empty scope with room for n variables: every file
// sets the dozen predefined ARGs, and growing the map from empty cost more
// than the lookups.
func newEnvList(n int) *envList {
	return &envList{keys: make([]string, 0, n), vals: make(map[string]string, n)}
}

func (e *envList) set(k, v string) {
	if e.vals == nil {
		e.vals = map[string]string{}
	}
	if _, ok := e.vals[k]; !ok {
		e.keys = append(e.keys, k)
	}
	e.vals[k] = v
}

func (e *envList) clone() *envList {
	return &envList{keys: slices.Clone(e.keys), vals: maps.Clone(e.vals)}
}

func mapKeys[V any](m map[string]V) iter.Seq[string] { return maps.Keys(m) }

// sortedKeys lists a set's names in order, so that reports are stable; nil
// for an empty set. The slice is sized once: it is built for every word
// with an unresolved variable, and growing it from empty was most of
// BuildKit's checks' allocations.
func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

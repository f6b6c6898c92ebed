package bkcheck

import (
	"iter"
	"maps"
	"slices"
)

// envList is a variable scope in the order variables were set, as
// BuildKit's llb.EnvList (a shell.EnvGetter for its lexer). A scope holds
// the dozen predefined ARGs and a few more: searching its keys costs less
// than a map's allocation, which was most of BuildKit's checks' bytes. Past
// indexFrom variables a map indexes them, so that a file with thousands of
// ARGs stays linear.
type envList struct {
	keys  []string
	vals  []string       // vals[i] is the value of keys[i]
	index map[string]int // keys[i] -> i; nil up to indexFrom keys
}

const indexFrom = 32

// Get implements shell.EnvGetter.
func (e *envList) Get(k string) (string, bool) {
	if i := e.find(k); i >= 0 {
		return e.vals[i], true
	}
	return "", false
}

// Keys implements shell.EnvGetter.
func (e *envList) Keys() []string { return e.keys }

func (e *envList) has(k string) bool { return e.find(k) >= 0 }

func (e *envList) find(k string) int {
	if e.index != nil {
		if i, ok := e.index[k]; ok {
			return i
		}
		return -1
	}
	return slices.Index(e.keys, k)
}

// newEnvList returns an empty scope with room for n variables.
func newEnvList(n int) *envList {
	return &envList{keys: make([]string, 0, n), vals: make([]string, 0, n)}
}

func (e *envList) set(k, v string) {
	if i := e.find(k); i >= 0 {
		e.vals[i] = v
		return
	}
	e.keys = append(e.keys, k)
	e.vals = append(e.vals, v)
	switch {
	case e.index != nil:
		e.index[k] = len(e.keys) - 1
	case len(e.keys) > indexFrom:
		e.index = make(map[string]int, 2*len(e.keys))
		for i, key := range e.keys {
			e.index[key] = i
		}
	}
}

func (e *envList) clone() *envList {
	return &envList{keys: slices.Clone(e.keys), vals: slices.Clone(e.vals), index: maps.Clone(e.index)}
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

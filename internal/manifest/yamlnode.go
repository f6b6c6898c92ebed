package manifest

import (
	"strconv"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v4"

	"github.com/dockvet/dockvet/internal/source"
)

// deref follows YAML aliases (*anchor) to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// field returns the key and value nodes of key in mapping m; nils when m
// is not a mapping or lacks the key.
func field(m *yaml.Node, key string) (k, v *yaml.Node) { return fieldMerged(m, key, 0) }

// maxMergeDepth bounds how deep merge keys are followed: a mapping that
// merges itself (web: &w {<<: *w}) would otherwise recurse forever.
const maxMergeDepth = 16

func fieldMerged(m *yaml.Node, key string, depth int) (k, v *yaml.Node) {
	m = deref(m)
	if depth > maxMergeDepth {
		return nil, nil
	}
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i].Tag != "!!merge" {
			return m.Content[i], deref(m.Content[i+1])
		}
	}
	// YAML merge keys (<<: *defaults, <<: [*a, *b]), common in Compose
	// files: the keys written in the mapping win, then the merged ones in
	// order.
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag != "!!merge" {
			continue
		}
		v := deref(m.Content[i+1])
		merged := []*yaml.Node{v}
		if v != nil && v.Kind == yaml.SequenceNode {
			merged = v.Content
		}
		for _, mm := range merged {
			if k, val := fieldMerged(mm, key, depth+1); k != nil {
				return k, val
			}
		}
	}
	return nil, nil
}

// value returns the value node of key in m (nil when absent).
func value(m *yaml.Node, key string) *yaml.Node {
	_, v := field(m, key)
	return v
}

// nested follows keys through nested mappings.
func nested(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m = value(m, k)
	}
	return m
}

// scalar returns the text of a scalar node, "" for anything else.
func scalar(n *yaml.Node) string {
	if n = deref(n); n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// items returns the entries of a sequence node (nil for anything else).
func items(n *yaml.Node) []*yaml.Node {
	if n = deref(n); n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

// strings returns a list of scalars (a single scalar counts as a list of
// one, as Compose accepts `command: run.sh`); ok is false when the node is
// absent or null.
func stringList(n *yaml.Node) (list []string, ok bool) {
	n = deref(n)
	if n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, false
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, true
	}
	for _, c := range items(n) {
		list = append(list, scalar(c))
	}
	return list, true
}

// intValue reads an integer scalar; ok is false for anything else (a
// template expression, a string).
func intValue(n *yaml.Node) (int64, bool) {
	s := scalar(n)
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 0, 64)
	return v, err == nil
}

// boolValue reads a boolean scalar.
func boolValue(n *yaml.Node) (bool, bool) {
	switch scalar(n) {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

// nodeRange is the range of a node as written: a scalar's text on its line
// (quotes included); other nodes and multi-line scalars are a point.
func nodeRange(n *yaml.Node) source.Range {
	if n == nil {
		return source.Range{}
	}
	start := source.Pos{Line: n.Line, Col: n.Column}
	end := start
	if n.Kind == yaml.ScalarNode && (n.Style == 0 || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0) {
		w := utf8.RuneCountInString(n.Value)
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			w += 2
		}
		end.Col += w
	}
	return source.Range{Start: start, End: end}
}

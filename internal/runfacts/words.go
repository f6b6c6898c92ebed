package runfacts

import (
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/source"
)

// WordSet builds a lookup table.
func WordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// Subcommand returns the index in c.Args of the first operand from index
// from on, skipping the options listed in valued together with their
// separate value ("-o X"). ok is false when there is no operand or it is
// not a literal word.
func Subcommand(c *dockerfile.Call, from int, valued map[string]bool) (int, bool) {
	for i := from; i < len(c.Args); i++ {
		a := c.Args[i]
		if !a.Literal {
			return -1, false
		}
		if a.Value == "--" {
			i++
			if i < len(c.Args) && c.Args[i].Literal {
				return i, true
			}
			return -1, false
		}
		if strings.HasPrefix(a.Value, "-") && len(a.Value) > 1 {
			if valued[a.Value] {
				i++
			}
			continue
		}
		return i, true
	}
	return -1, false
}

// CallThrough is the range from a call's program name to its i-th argument,
// e.g. "apt-get install": short, and clear about which call is meant.
func CallThrough(c *dockerfile.Call, i int) source.Range {
	if i < 0 || i >= len(c.Args) {
		return c.NameRange
	}
	return source.Span(c.NameRange, c.Args[i].Range)
}

// HasArg reports whether some argument of c is exactly v.
func HasArg(c *dockerfile.Call, v string) bool {
	for _, a := range c.Args {
		if a.Value == v {
			return true
		}
	}
	return false
}

// WordValue is a shell word's value with the instruction's ARG and ENV
// values expanded (they are environment variables when the RUN executes).
// ok is false when the word still depends on a shell variable or a command
// substitution; the raw text is returned then.
func WordValue(in *dockerfile.Instruction, w dockerfile.Word) (string, bool) {
	if w.Literal {
		return w.Value, true
	}
	if strings.Contains(w.Value, "$(") || strings.Contains(w.Value, "`") {
		return w.Value, false
	}
	v, unresolved := in.Expand(w.Value)
	if len(unresolved) > 0 || strings.ContainsRune(v, '$') {
		return w.Value, false
	}
	return v, true
}

// IsNumbered matches a program name such as pip, pip3 or pip3.12.
func IsNumbered(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	return ok && strings.Trim(rest, "0123456789.") == ""
}

// SubIs reports whether c runs the sub-command sub (with one of opts among
// the later arguments when opts are given, e.g. "clean all").
func SubIs(c *dockerfile.Call, valued map[string]bool, sub string, opts ...string) bool {
	i, ok := Subcommand(c, 0, valued)
	if !ok || c.Args[i].Value != sub {
		return false
	}
	if len(opts) == 0 {
		return true
	}
	for _, a := range c.Args[i+1:] {
		for _, o := range opts {
			if a.Value == o {
				return true
			}
		}
	}
	return false
}

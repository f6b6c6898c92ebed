package runfacts

import (
	"slices"
	"strings"
	"sync"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/source"
)

// Words is a set of words. A package-level &Words{List: ...} is laid out
// by the compiler and costs nothing at start-up: a short list is searched
// as it is, a longer one through a map built the first time the set is
// read. It is safe for concurrent use; a nil *Words is empty. List must
// not change once the set has been read: a longer list's map would not
// follow it.
type Words struct {
	List []string
	once sync.Once
	set  map[string]bool
}

// linearWords is the longest List that Has searches without a map.
const linearWords = 8

// Has reports whether w is in the set.
func (s *Words) Has(w string) bool {
	if s == nil {
		return false
	}
	if len(s.List) <= linearWords {
		return slices.Contains(s.List, w)
	}
	s.once.Do(s.build)
	return s.set[w]
}

func (s *Words) build() {
	s.set = make(map[string]bool, len(s.List))
	for _, w := range s.List {
		s.set[w] = true
	}
}

// Subcommand returns the index in c.Args of the first operand from index
// from on, skipping the options listed in valued together with their
// separate value ("-o X"). ok is false when there is no operand or it is
// not a literal word.
func Subcommand(c *dockerfile.Call, from int, valued *Words) (int, bool) {
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
			if valued.Has(a.Value) {
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
func SubIs(c *dockerfile.Call, valued *Words, sub string, opts ...string) bool {
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

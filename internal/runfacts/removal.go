package runfacts

import (
	"path"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
)

// RmMatch tells how sure we are that a removal covers a directory.
type RmMatch int

const (
	RmNo    RmMatch = iota
	RmMaybe         // an operand with a shell variable that may name the directory
	RmYes
)

// PathSpec describes a directory that a cleanup must remove: its absolute
// paths (emptying them with "/*" counts too), or home-relative suffixes such
// as "/.cache/pip" that match /root/.cache/pip, ~/.cache/pip and $HOME/....
type PathSpec struct {
	Abs      []string
	Suffixes []string
	// GlobIn are directories whose files a glob operand such as
	// /var/lib/apt/lists/*_* removes, with or without -r.
	GlobIn []string
	// Vars are environment variables that name the directory
	// (PIP_CACHE_DIR): an operand that uses one of them without a known
	// value may remove it.
	Vars []string
}

// matchGlob reports whether v is a glob for the files of one of GlobIn.
func (ps PathSpec) matchGlob(v string) bool {
	for _, d := range ps.GlobIn {
		if rest, ok := strings.CutPrefix(v, d+"/"); ok && strings.Contains(rest, "*") && !strings.Contains(rest, "/") {
			return true
		}
	}
	return false
}

// Match compares one removal operand (already variable-expanded when
// resolved) with the spec.
func (ps PathSpec) Match(v string, resolved bool) RmMatch {
	v = strings.TrimSuffix(v, "/*")
	v = strings.TrimRight(v, "/")
	for _, s := range ps.Suffixes {
		if strings.HasSuffix(v, s) {
			return RmYes
		}
	}
	if resolved {
		if v == "" {
			return RmNo
		}
		c := path.Clean(v)
		for _, a := range ps.Abs {
			if c == a {
				return RmYes
			}
		}
		return RmNo
	}
	// An unexpanded word such as ${APT_LISTS} or $ROOT/var/lib/apt/lists:
	// it may well be the directory; a rule cannot be sure either way.
	for _, n := range ps.Vars {
		if strings.Contains(v, "$"+n) || strings.Contains(v, "${"+n) {
			return RmMaybe
		}
	}
	for _, a := range ps.Abs {
		if strings.HasSuffix(v, path.Base(a)) {
			return RmMaybe
		}
	}
	return RmNo
}

// Removes reports whether c is an `rm` (recursive when recursive is set) or a
// `find DIR ... -delete` of the directory described by ps, and returns the
// operand that names it.
func (r *Run) Removes(c *dockerfile.Call, ps PathSpec, recursive bool) (RmMatch, dockerfile.Word) {
	in := r.In
	switch c.Name {
	case "rm":
		rec := !recursive || c.HasOption("rR", "--recursive")
		best, bestWord := RmNo, dockerfile.Word{}
		for _, op := range c.Operands() {
			v, ok := WordValue(in, op)
			m := RmNo
			switch {
			case ok && ps.matchGlob(v):
				m = RmYes
			case !rec:
			case ok && strings.ContainsRune(v, '{') && ShellExpandsBraces(in.Shell):
				for _, alt := range BraceExpand(v) {
					m = max(m, ps.Match(alt, true))
				}
			default:
				m = ps.Match(v, ok)
			}
			if m > best {
				best, bestWord = m, op
			}
		}
		return best, bestWord
	case "find":
		ops := c.Operands()
		if len(ops) == 0 || !HasArg(c, "-delete") {
			return RmNo, dockerfile.Word{}
		}
		v, ok := WordValue(in, ops[0])
		if m := ps.Match(v, ok); m != RmNo {
			return m, ops[0]
		}
	}
	return RmNo, dockerfile.Word{}
}

// CleanedAfter reports whether a cleanup follows Calls[i] in the same RUN
// and surely runs whenever Calls[i] ran: it is not conditional, or both are
// conditional (the same branch, as far as we can tell; a rule cannot be sure
// otherwise, so it stays silent). isClean classifies a call.
func (r *Run) CleanedAfter(i int, isClean func(*dockerfile.Call) RmMatch) bool {
	return r.cleanedAfter(i, func(j int) RmMatch { return isClean(r.Calls[j]) })
}

// cleanedAfter is CleanedAfter with the calls named by their index.
func (r *Run) cleanedAfter(i int, isClean func(j int) RmMatch) bool {
	for j := i + 1; j < len(r.Calls); j++ {
		if r.Calls[j].Conditional && !r.Calls[i].Conditional {
			continue
		}
		if isClean(j) != RmNo {
			return true
		}
	}
	return false
}

// ShellExpandsBraces reports whether the RUN's shell expands {a,b}: bash,
// zsh and ksh do, POSIX sh (dash, busybox ash) does not.
func ShellExpandsBraces(shell []string) bool {
	if len(shell) == 0 {
		return false
	}
	switch path.Base(shell[0]) {
	case "bash", "zsh", "ksh", "mksh":
		return true
	}
	return false
}

// BraceExpand expands the brace lists of a word ("/var/{a,b}/x" gives
// "/var/a/x" and "/var/b/x"); a word without a brace list is returned alone.
func BraceExpand(v string) []string {
	open := strings.IndexByte(v, '{')
	if open < 0 {
		return []string{v}
	}
	depth, close := 0, -1
	var commas []int
	for i := open; i < len(v) && close < 0; i++ {
		switch v[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				close = i
			}
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		}
	}
	if close < 0 || len(commas) == 0 {
		return []string{v}
	}
	var out []string
	start := open + 1
	for _, end := range append(commas, close) {
		for _, tail := range BraceExpand(v[close+1:]) {
			for _, mid := range BraceExpand(v[start:end]) {
				if len(out) < 64 {
					out = append(out, v[:open]+mid+tail)
				}
			}
		}
		start = end + 1
	}
	return out
}

// BraceMiss finds an rm after Calls[i] whose brace list would name the
// directory if the shell expanded braces, but /bin/sh does not: the words
// to quote in a message. "" when there is none.
func (r *Run) BraceMiss(i int, ps PathSpec) string {
	if ShellExpandsBraces(r.In.Shell) {
		return ""
	}
	for _, c := range r.Calls[i+1:] {
		if c.Name != "rm" {
			continue
		}
		for _, op := range c.Operands() {
			if !op.Literal || !strings.ContainsRune(op.Value, '{') {
				continue
			}
			for _, alt := range BraceExpand(op.Value) {
				if ps.Match(alt, true) == RmYes {
					return op.Value
				}
			}
		}
	}
	return ""
}

package rules

import (
	"path"
	"strings"

	"github.com/tonistiigi/go-csvvalue"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/source"
)

// Helpers shared by the package-manager rules (DV400-DV403): what a RUN
// mounts, which sub-command a package manager runs, and which calls remove a
// directory.

// runMount is a RUN --mount option, as far as the layer rules need it.
type runMount struct {
	Type   string // bind, cache, tmpfs, secret, ssh (lower case)
	Target string // cleaned absolute path, variables expanded; "" when unknown
}

// runMounts reads the --mount flags of a RUN. It does not use
// Instruction.Mounts: BuildKit fills those in only after variable expansion,
// so in the parsed model every mount has type bind and no target.
func runMounts(in *dockerfile.Instruction) []runMount {
	var out []runMount
	for _, fl := range in.Flags {
		if fl.Name != "mount" {
			continue
		}
		fields, err := csvvalue.Fields(fl.Value, nil)
		if err != nil {
			continue
		}
		m := runMount{Type: "bind"}
		for _, field := range fields {
			k, v, ok := strings.Cut(field, "=")
			if !ok {
				continue
			}
			v, unresolved := in.Expand(v)
			if len(unresolved) > 0 {
				continue
			}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "type":
				m.Type = strings.ToLower(v)
			case "target", "dst", "destination":
				if v != "" {
					m.Target = path.Clean("/" + v)
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// mountKeepsOut reports whether a cache or tmpfs mount of the RUN covers dir
// (an absolute, clean path): what the RUN writes there never reaches the layer.
func mountKeepsOut(in *dockerfile.Instruction, dir string) bool {
	for _, m := range runMounts(in) {
		if (m.Type == "cache" || m.Type == "tmpfs") && m.Target != "" && pathWithin(dir, m.Target) {
			return true
		}
	}
	return false
}

// mountKeepsOutSuffix is mountKeepsOut for a home-relative directory such as
// "/.cache/pip": any cache or tmpfs target that ends with one of the suffixes.
func mountKeepsOutSuffix(in *dockerfile.Instruction, suffixes ...string) bool {
	for _, m := range runMounts(in) {
		if m.Type != "cache" && m.Type != "tmpfs" {
			continue
		}
		for _, s := range suffixes {
			if strings.HasSuffix(m.Target, s) {
				return true
			}
		}
	}
	return false
}

// pathWithin reports whether p is dir or lies under it.
func pathWithin(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// runScript returns the calls of a RUN, nil when it has no parsed POSIX script.
func runScript(in *dockerfile.Instruction) []*dockerfile.Call {
	if in.Keyword != "RUN" || in.Invalid || in.Script == nil || in.Script.Err != nil {
		return nil
	}
	return in.Script.Calls
}

// finalRuns returns the RUN instructions of the final image, in build order.
func finalRuns(f *dockerfile.File) []*dockerfile.Instruction {
	var out []*dockerfile.Instruction
	for _, in := range f.FinalInstructions() {
		if in.Keyword == "RUN" && !in.Invalid {
			out = append(out, in)
		}
	}
	return out
}

// subcommand returns the index in c.Args of the first operand, skipping the
// options listed in valued together with their separate value ("-o X"). ok is
// false when there is no operand or it is not a literal word.
func subcommand(c *dockerfile.Call, from int, valued map[string]bool) (int, bool) {
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

// callThrough is the range from a call's program name to its i-th argument,
// e.g. "apt-get install": short, and clear about which call is meant.
func callThrough(c *dockerfile.Call, i int) source.Range {
	if i < 0 || i >= len(c.Args) {
		return c.NameRange
	}
	return source.Span(c.NameRange, c.Args[i].Range)
}

// wordSet builds a lookup table.
func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// rmMatch tells how sure we are that a removal covers a directory.
type rmMatch int

const (
	rmNo    rmMatch = iota
	rmMaybe         // an operand with a shell variable that may name the directory
	rmYes
)

// pathSpec describes a directory that a cleanup must remove: its absolute
// paths (emptying them with "/*" counts too), or home-relative suffixes such
// as "/.cache/pip" that match /root/.cache/pip, ~/.cache/pip and $HOME/....
type pathSpec struct {
	abs      []string
	suffixes []string
	// globIn are directories whose files a glob operand such as
	// /var/lib/apt/lists/*_* removes, with or without -r.
	globIn []string
}

// matchGlob reports whether v is a glob for the files of one of globIn.
func (ps pathSpec) matchGlob(v string) bool {
	for _, d := range ps.globIn {
		if rest, ok := strings.CutPrefix(v, d+"/"); ok && strings.Contains(rest, "*") && !strings.Contains(rest, "/") {
			return true
		}
	}
	return false
}

// match compares one removal operand (already variable-expanded when ok) with
// the spec.
func (ps pathSpec) match(v string, resolved bool) rmMatch {
	v = strings.TrimSuffix(v, "/*")
	v = strings.TrimRight(v, "/")
	for _, s := range ps.suffixes {
		if strings.HasSuffix(v, s) {
			return rmYes
		}
	}
	if resolved {
		if v == "" {
			return rmNo
		}
		c := path.Clean(v)
		for _, a := range ps.abs {
			if c == a {
				return rmYes
			}
		}
		return rmNo
	}
	// An unexpanded word such as ${APT_LISTS} or $ROOT/var/lib/apt/lists:
	// it may well be the directory; a rule cannot be sure either way.
	for _, a := range ps.abs {
		if strings.HasSuffix(v, path.Base(a)) {
			return rmMaybe
		}
	}
	return rmNo
}

// callRemoves reports whether c is an `rm` (recursive when recursive is set) or a
// `find DIR ... -delete` of the directory described by ps, and returns the
// operand that names it.
func callRemoves(in *dockerfile.Instruction, c *dockerfile.Call, ps pathSpec, recursive bool) (rmMatch, dockerfile.Word) {
	switch c.Name {
	case "rm":
		rec := !recursive || c.HasOption("rR", "--recursive")
		best, bestWord := rmNo, dockerfile.Word{}
		for _, op := range c.Operands() {
			v, ok := wordValue(in, op)
			m := rmNo
			switch {
			case ok && ps.matchGlob(v):
				m = rmYes
			case !rec:
			case ok && strings.ContainsRune(v, '{') && shellExpandsBraces(in.Shell):
				for _, alt := range braceExpand(v) {
					m = max(m, ps.match(alt, true))
				}
			default:
				m = ps.match(v, ok)
			}
			if m > best {
				best, bestWord = m, op
			}
		}
		return best, bestWord
	case "find":
		ops := c.Operands()
		if len(ops) == 0 || !hasArg(c, "-delete") {
			return rmNo, dockerfile.Word{}
		}
		v, ok := wordValue(in, ops[0])
		if m := ps.match(v, ok); m != rmNo {
			return m, ops[0]
		}
	}
	return rmNo, dockerfile.Word{}
}

func hasArg(c *dockerfile.Call, v string) bool {
	for _, a := range c.Args {
		if a.Value == v {
			return true
		}
	}
	return false
}

// wordValue is a shell word's value with the instruction's ARG and ENV
// values expanded (they are environment variables when the RUN executes).
// ok is false when the word still depends on a shell variable or a command
// substitution; the raw text is returned then.
func wordValue(in *dockerfile.Instruction, w dockerfile.Word) (string, bool) {
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

// cleanedAfter reports whether a cleanup follows calls[i] in the same RUN
// and surely runs whenever calls[i] ran: it is not conditional, or both are
// conditional (the same branch, as far as we can tell; a rule cannot be sure
// otherwise, so it stays silent). isClean classifies a call.
func cleanedAfter(calls []*dockerfile.Call, i int, isClean func(*dockerfile.Call) rmMatch) bool {
	for _, c := range calls[i+1:] {
		if c.Conditional && !calls[i].Conditional {
			continue
		}
		if isClean(c) != rmNo {
			return true
		}
	}
	return false
}

// shellExpandsBraces reports whether the RUN's shell expands {a,b}: bash,
// zsh and ksh do, POSIX sh (dash, busybox ash) does not.
func shellExpandsBraces(shell []string) bool {
	if len(shell) == 0 {
		return false
	}
	switch path.Base(shell[0]) {
	case "bash", "zsh", "ksh", "mksh":
		return true
	}
	return false
}

// braceExpand expands the brace lists of a word ("/var/{a,b}/x" gives
// "/var/a/x" and "/var/b/x"); a word without a brace list is returned alone.
func braceExpand(v string) []string {
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
		for _, tail := range braceExpand(v[close+1:]) {
			for _, mid := range braceExpand(v[start:end]) {
				if len(out) < 64 {
					out = append(out, v[:open]+mid+tail)
				}
			}
		}
		start = end + 1
	}
	return out
}

// braceMiss finds an rm after calls[i] whose brace list would name the
// directory if the shell expanded braces, but /bin/sh does not: the words
// to quote in a message. "" when there is none.
func braceMiss(in *dockerfile.Instruction, calls []*dockerfile.Call, i int, ps pathSpec) string {
	if shellExpandsBraces(in.Shell) {
		return ""
	}
	for _, c := range calls[i+1:] {
		if c.Name != "rm" {
			continue
		}
		for _, op := range c.Operands() {
			if !op.Literal || !strings.ContainsRune(op.Value, '{') {
				continue
			}
			for _, alt := range braceExpand(op.Value) {
				if ps.match(alt, true) == rmYes {
					return op.Value
				}
			}
		}
	}
	return ""
}

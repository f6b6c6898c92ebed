package dockerfile

import (
	"cmp"
	"path"
	"slices"
	"strings"
	"sync"
)

// This file is the one place that knows command wrappers: programs such as
// sudo, env, nice or xargs that run another command given on their command
// line. Every RUN rule sees the wrapped command as the Call, with what the
// wrappers set in its environment.

// EnvVar is a variable set (or unset) in a command's environment by a prefix
// assignment (`NAME=value cmd`) or a wrapper (`env NAME=value cmd`,
// `sudo NAME=value cmd`, `env -u NAME cmd`).
type EnvVar struct {
	Name string
	// Value is the assigned value ("" for an unset). Word.Resolve gives its
	// value with variables substituted.
	Value Word
	// Unset is true for `env -u NAME`.
	Unset bool
}

// Unwrapped is what a command line runs once its wrappers are taken off.
type Unwrapped struct {
	// Start is the index of the wrapped command's name in the words. When the
	// last wrapper runs no command (`env` alone prints the environment,
	// `sudo -l` lists privileges), Start is that wrapper's index; when a
	// wrapper's arguments cannot be read (a non-literal option), Start is the
	// index of the word that could not be read.
	Start int
	// Wrappers are the base names of the wrappers taken off, outermost first.
	Wrappers []string
	// Env lists the assignments the wrappers make, in order.
	Env []EnvVar
	// ClearEnv is set when a wrapper does not pass the shell's environment
	// on: `env -i` and `env -` start the command with an empty one, sudo
	// without -E keeps only what sudoers allows. A variable set before the
	// wrapper (an ENV, `export`, a prefix assignment) may not reach the
	// command; Env lists what the wrappers set after that.
	ClearEnv bool
	// Dir is the working directory a wrapper sets for the command (`env -C
	// DIR`, `sudo -D DIR`); nil when it runs in the shell's. A Dir with an
	// empty non-literal value means "changed to somewhere unknown" (`sudo -i`
	// starts in the target user's home).
	Dir *Word
	// MayNotRun is set when the command may run zero times (`xargs -r`).
	MayNotRun bool
	// Placeholder is the string that `xargs -I R` replaces in the command's
	// words with each input item; "" when none.
	Placeholder string
}

// wrapperSpec describes a wrapper's command line: its options (getopt style,
// ending at the first operand, as the command's own options follow), and the
// operands it reads before the command.
type wrapperSpec struct {
	// valued are the short options that take a value, attached (-n10) or
	// in the next word (-n 10); attached are those whose value can only be
	// attached (xargs -i{}, -e, -l).
	valued, attached string
	// longValued are the long options that take a value, as --name=value or
	// --name value.
	longValued []string
	// opaque are the short and long options after which the wrapper does not
	// run a command transparently: it lists, edits, changes the root, or
	// takes a process id instead of a command.
	opaque     string
	longOpaque []string
	// assigns: NAME=value words after the options are environment assignments.
	assigns bool
	// operands is how many operands come before the command (timeout's
	// duration, gosu's user, taskset's mask).
	operands int
}

// wrapperSpecs are the wrappers Unwrap takes off, by name; built the first
// time a script is read, not at start-up.
var wrapperSpecs = sync.OnceValue(func() map[string]wrapperSpec {
	return map[string]wrapperSpec{
		"sudo": {
			valued: "CDghpRrtTUu",
			longValued: []string{"--close-from", "--chdir", "--group", "--host", "--prompt", "--chroot", "--role",
				"--type", "--command-timeout", "--other-user", "--user", "--askpass-program"},
			opaque:     "elvKR",
			longOpaque: []string{"--edit", "--list", "--validate", "--remove-timestamp", "--chroot", "--help", "--version"},
			assigns:    true,
		},
		"doas": {valued: "uC", opaque: "C"},
		"env": {
			valued:     "uCS",
			longValued: []string{"--unset", "--chdir", "--split-string"},
			// -S splits a string into the command line: not read here.
			opaque:     "S",
			longOpaque: []string{"--split-string", "--help", "--version", "--list-signal-handling"},
			assigns:    true,
		},
		"command":   {opaque: "vV"},
		"builtin":   {},
		"exec":      {valued: "a"},
		"nice":      {valued: "n", longValued: []string{"--adjustment"}},
		"nohup":     {},
		"time":      {valued: "fo", longValued: []string{"--format", "--output"}},
		"timeout":   {valued: "sk", longValued: []string{"--signal", "--kill-after"}, operands: 1},
		"stdbuf":    {valued: "ioe", longValued: []string{"--input", "--output", "--error"}},
		"ionice":    {valued: "cn", longValued: []string{"--class", "--classdata"}, opaque: "pPu", longOpaque: []string{"--pid", "--pgid", "--uid"}},
		"chrt":      {valued: "TPD", longValued: []string{"--sched-runtime", "--sched-period", "--sched-deadline"}, opaque: "pm", longOpaque: []string{"--pid", "--max"}, operands: 1},
		"taskset":   {opaque: "p", longOpaque: []string{"--pid"}, operands: 1},
		"setsid":    {},
		"eatmydata": {},
		"fakeroot":  {valued: "lsib", longValued: []string{"--lib", "--faked", "--fd-base"}},
		"gosu":      {operands: 1},
		"su-exec":   {operands: 1},
		"xargs": {
			valued:   "adEILnPs",
			attached: "eil",
			longValued: []string{"--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars",
				"--process-slot-var"},
			longOpaque: []string{"--help", "--version", "--show-limits"},
		},
	}
})

// Unwrap takes the wrappers off a command line: given a call's words it
// returns where the wrapped command starts and what the wrappers set for it.
// Nested wrappers (`sudo -E env A=1 nice -n 5 cmd`) are all taken off.
// Options that take a value consume it (`sudo -u user`, `nice -n 10`,
// `timeout -s KILL 10`, `env -u NAME`). A wrapper that changes the root
// (`sudo -R`), takes a process id (`ionice -p`) or reads its command from a
// string (`env -S`) is not transparent: it is the command.
func Unwrap(words []Word) Unwrapped {
	var u Unwrapped
	i := 0
	for i < len(words) {
		if !words[i].Literal {
			break
		}
		name := path.Base(words[i].Value)
		spec, ok := wrapperSpecs()[name]
		if !ok {
			break
		}
		next, ok := u.readWrapper(name, spec, words, i)
		if !ok {
			break // not transparent: the wrapper is the command
		}
		u.Wrappers = append(u.Wrappers, name)
		if next >= len(words) {
			break // runs no command: the wrapper is the command
		}
		i = next
	}
	u.Start = i
	return u
}

// readWrapper reads the options, assignments and operands of the wrapper at
// words[at] and returns the index of the command it runs. ok is false when
// the wrapper is not transparent.
func (u *Unwrapped) readWrapper(name string, spec wrapperSpec, words []Word, at int) (next int, ok bool) {
	var env []EnvVar
	clear := false
	// sudo resets the environment (env_reset, on by default) unless told to
	// keep it: -E or --preserve-env.
	sudoReset := name == "sudo"
	var dir *Word
	mayNotRun := false
	placeholder := ""
	i := at + 1
	// Options.
options:
	for i < len(words) {
		w := words[i]
		v := w.Value
		switch {
		case !w.Literal:
			break options // the command, or an operand
		case v == "--":
			i++
			break options
		case v == "-" && name == "env":
			clear = true
			i++
			continue
		case strings.HasPrefix(v, "--"):
			long, val, hasVal := strings.Cut(v, "=")
			if slices.Contains(spec.longOpaque, long) {
				return at, false
			}
			valWord := Word{Value: val, Literal: true, Range: w.Range}
			if !hasVal && slices.Contains(spec.longValued, long) {
				if i+1 >= len(words) {
					return at, false
				}
				i++
				valWord, val, hasVal = words[i], words[i].Value, true
			}
			switch {
			case name == "env" && long == "--ignore-environment":
				clear = true
			case name == "env" && long == "--unset" && hasVal && valWord.Literal:
				env = append(env, EnvVar{Name: val, Unset: true, Value: Word{Literal: true, Range: valWord.Range}})
			case (name == "env" || name == "sudo") && long == "--chdir" && hasVal:
				dir = &valWord
			case name == "sudo" && long == "--login":
				dir = &Word{Range: w.Range}
			case name == "sudo" && long == "--preserve-env" && !hasVal:
				sudoReset = false // (--preserve-env=LIST keeps only those)
			case name == "xargs" && long == "--no-run-if-empty":
				mayNotRun = true
			case name == "xargs" && long == "--replace":
				placeholder = "{}"
				if hasVal && val != "" {
					placeholder = val
				}
			}
			i++
		case strings.HasPrefix(v, "-") && len(v) > 1:
			i++
			for j := 1; j < len(v); j++ {
				c := v[j]
				if strings.IndexByte(spec.opaque, c) >= 0 {
					return at, false
				}
				if strings.IndexByte(spec.attached, c) >= 0 {
					if name == "xargs" && c == 'i' {
						placeholder = cmp.Or(v[j+1:], "{}")
					}
					break
				}
				if strings.IndexByte(spec.valued, c) < 0 {
					switch {
					case name == "env" && c == 'i':
						clear = true
					case name == "sudo" && c == 'E':
						sudoReset = false
					case name == "sudo" && c == 'i':
						dir = &Word{Range: w.Range}
					case name == "xargs" && c == 'r':
						mayNotRun = true
					}
					continue
				}
				// A valued option: the rest of the word, or the next word.
				// (The value may be non-literal: `sudo -u "$USER"`.)
				valWord := Word{Value: v[j+1:], Literal: true, Range: w.Range}
				if valWord.Value == "" {
					if i >= len(words) {
						return at, false
					}
					valWord = words[i]
					i++
				}
				val := valWord.Value
				switch {
				case name == "env" && c == 'u' && valWord.Literal:
					env = append(env, EnvVar{Name: val, Unset: true, Value: Word{Literal: true, Range: valWord.Range}})
				case (name == "env" && c == 'C') || (name == "sudo" && c == 'D'):
					dir = &valWord
				case name == "xargs" && c == 'I':
					placeholder = val
					if !valWord.Literal {
						return at, false // which words it replaces is unknown
					}
				}
				break
			}
		default:
			break options
		}
	}
	clear = clear || sudoReset
	// NAME=value assignments.
	for spec.assigns && i < len(words) {
		name, ok := assignedName(words[i])
		if !ok {
			break
		}
		env = append(env, EnvVar{Name: name, Value: words[i].afterPrefix(len(name) + 1)})
		i++
	}
	// Operands before the command.
	for n := 0; n < spec.operands; n++ {
		if i >= len(words) {
			return at, false
		}
		i++
	}
	u.commit(env, clear, dir, mayNotRun, placeholder)
	return i, true
}

// commit records what a transparent wrapper sets.
func (u *Unwrapped) commit(env []EnvVar, clear bool, dir *Word, mayNotRun bool, placeholder string) {
	if clear {
		u.ClearEnv = true
		u.Env = nil
	}
	u.Env = append(u.Env, env...)
	switch {
	case dir != nil && u.Dir != nil && !strings.HasPrefix(dir.Value, "/"):
		u.Dir = &Word{Range: dir.Range} // relative to a directory an outer wrapper chose: not followed
	case dir != nil:
		u.Dir = dir
	}
	u.MayNotRun = u.MayNotRun || mayNotRun
	if placeholder != "" {
		u.Placeholder = placeholder
	}
}

// assignedName returns NAME for a literal word NAME=value whose NAME is a
// valid shell variable name.
func assignedName(w Word) (string, bool) {
	name, _, ok := strings.Cut(w.Value, "=")
	if !ok || !isVarName(name) {
		return "", false
	}
	return name, true
}

func isVarName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if c != '_' && !alnum {
			return false
		}
	}
	return true
}

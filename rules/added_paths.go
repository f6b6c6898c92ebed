package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
)

// This file answers "which paths does an instruction put into the image?" for
// the rules that compare them with VOLUME paths (DV101) and later deletions
// (DV404). It only claims what it can be sure of: a path it cannot resolve
// (an unknown WORKDIR, a variable, a `cd` earlier in the script) is left out.

// addition is content that an instruction of the final image puts at path.
type addition struct {
	in *dockerfile.Instruction
	// path is absolute and clean. Content lands at path or under it; which
	// entries under it is unknown (COPY dir/ /app/ names no file).
	path string
	// glob is set when path is a pattern (COPY *.whl /tmp/ adds /tmp/*.whl).
	glob bool
	// empty is set for an empty file (touch): it costs no bytes.
	empty bool
	// at is where the destination is written: the COPY destination, the
	// shell command of a RUN.
	at source.Range
	// what is the adding command, shortened for messages.
	what string
	// srcs are the COPY/ADD sources whose content lands at path (all of
	// them at the destination, one at dest/<name>); nil for RUN. With a
	// build context they give the size (DV101's cost).
	srcs []dockerfile.Token
	// dest is set for the destination of a COPY/ADD itself: a directory
	// source's contents land below it, so a volume below it may hold them.
	dest bool
}

// chainStep is an instruction of the final image with the working directory in
// effect for it ("" when unknown: the base image may set one).
type chainStep struct {
	in  *dockerfile.Instruction
	cwd string
	// vars resolves the variables of a RUN's script; nil for other
	// instructions.
	vars *dockerfile.Vars
	// base reads the base image's Env, for paths whose variables the
	// Dockerfile does not set; nil when base images are not looked up.
	base *lazyBaseEnv
}

// lazyBaseEnv reads the final chain's base image Env on first use: most
// files never need it.
type lazyBaseEnv struct {
	fn     baseEnvFunc
	stage  *dockerfile.Stage
	read   bool
	lookup func(string) (string, bool)
}

func (l *lazyBaseEnv) get() func(string) (string, bool) {
	if l == nil || l.fn == nil || l.stage == nil {
		return nil
	}
	if !l.read {
		l.lookup, l.read = l.fn(l.stage), true
	}
	return l.lookup
}

// baseEnvFunc looks up a variable of a stage's base image config, nil when
// the base image is not known.
type baseEnvFunc func(s *dockerfile.Stage) func(name string) (string, bool)

// passBaseEnv reads the base image's config Env through a pass's base
// lookup (nil when the run does not look base images up).
func passBaseEnv(bases rule.BaseLookup) baseEnvFunc {
	return func(s *dockerfile.Stage) func(string) (string, bool) {
		lookup := &rule.Pass{Bases: bases}
		img, _, err := lookup.BaseImage(s)
		if err != nil || img == nil {
			return nil
		}
		return dockerfile.EnvLookup(img.Env)
	}
}

// stepAdditions is a step of the final image with what it adds, and for a
// RUN its script's calls with the variables resolved (run), which DV404
// reads again. The step points into finalSteps' list: one copy of each.
type stepAdditions struct {
	*chainStep
	adds []addition
	run  *runScope
}

// finalAdditions is finalSteps with each step's additions, computed once per
// file for the rules that read both (DV101, DV404).
var finalAdditions = &rule.Analysis[[]stepAdditions]{
	Name: "final-additions",
	Run: func(pass *rule.Pass) []stepAdditions {
		// The steps read the base image lazily, after this pass is refilled
		// for another rule: they keep the file's base lookup, not the pass.
		steps := finalSteps(pass.File, passBaseEnv(pass.Bases))
		out := make([]stepAdditions, len(steps))
		for i, s := range steps {
			out[i] = stepAdditions{chainStep: &steps[i]}
			if s.in.Keyword == "RUN" && !s.in.Invalid {
				out[i].run = newRunScope(s)
				out[i].adds = runScopeAdditions(out[i].run)
			} else {
				out[i].adds = additions(s)
			}
		}
		return out
	},
}

// finalSteps lists the final image's instructions in build order with their
// working directories. The root of the chain starts in / only when it is FROM
// scratch; any other base image may have set a WORKDIR. RUN steps carry the
// variables their scripts see, with the base image's Env from baseEnv (nil:
// not known).
func finalSteps(f *dockerfile.File, baseEnv baseEnvFunc) []chainStep {
	chain, ins := f.FinalChain(), f.FinalInstructions()
	out := make([]chainStep, 0, len(ins))
	cwd := ""
	var base *lazyBaseEnv
	if len(chain) > 0 && baseEnv != nil {
		base = &lazyBaseEnv{fn: baseEnv, stage: chain[0]} // one base image for the whole final chain
	}
	for _, in := range ins {
		if in.Keyword == "FROM" {
			if st := in.Stage; st != nil && st.Parent == nil {
				cwd = ""
				if st.Base != nil && st.Base.Scratch {
					cwd = "/"
				}
			}
		}
		step := chainStep{in: in, cwd: cwd, base: base}
		if in.Keyword == "RUN" && in.Script != nil {
			step.vars = in.ScriptVars(base.get())
		}
		out = append(out, step)
		if in.Keyword == "WORKDIR" && !in.Invalid {
			dir, ok := step.expandedPath(strings.TrimSpace(in.ArgsText))
			if in.JSON || !ok {
				cwd = ""
				continue
			}
			cwd, ok = resolvePath(cwd, dir)
			if !ok {
				cwd = ""
			}
		}
	}
	return out
}

// finalChainHas reports whether an instruction of the final image has the
// keyword, without building the list FinalInstructions returns.
func finalChainHas(f *dockerfile.File, keyword string) bool {
	for _, st := range f.FinalChain() {
		for _, in := range st.Instructions {
			if in.Keyword == keyword {
				return true
			}
		}
	}
	return false
}

// expandedPath expands the ARG and ENV variables of a path written in an
// instruction (as BuildKit does for COPY, ADD, WORKDIR and VOLUME) and drops
// surrounding quotes; ok is false when a variable has no value.
func expandedPath(in *dockerfile.Instruction, word string) (string, bool) {
	v, unresolved := in.Expand(word)
	if len(unresolved) > 0 {
		return "", false
	}
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return v, v != ""
}

// expandedPath is expandedPath for the step's instruction, with the base
// image's Env for the variables the Dockerfile does not set (BuildKit
// expands COPY, ADD and WORKDIR paths with the whole environment).
func (s chainStep) expandedPath(word string) (string, bool) {
	if v, ok := expandedPath(s.in, word); ok || !strings.Contains(word, "$") {
		return v, ok
	}
	base := s.base.get()
	if base == nil {
		return "", false
	}
	v, ok := s.in.ExpandWith(word, base)
	return v, ok && v != ""
}

// resolvePath makes p absolute against the working directory cwd ("" when
// unknown) and cleans it. Windows paths and home-relative paths are not
// resolved.
func resolvePath(cwd, p string) (string, bool) {
	if p == "" || strings.ContainsAny(p, `\$`) || strings.HasPrefix(p, "~") || (len(p) > 1 && p[1] == ':') {
		return "", false
	}
	if strings.HasPrefix(p, "/") {
		return path.Clean(p), true
	}
	if cwd == "" {
		return "", false
	}
	return path.Join(cwd, p), true
}

// pathUnder reports whether p is dir or lies beneath it.
func pathUnder(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// additions returns what one instruction adds to the image.
func additions(s chainStep) []addition {
	if s.in.Invalid {
		return nil
	}
	switch s.in.Keyword {
	case "COPY", "ADD":
		return copyAdditions(s)
	case "RUN":
		return runAdditions(s)
	}
	return nil
}

// copyAdditions: COPY and ADD put their sources at or under the destination;
// when the destination is a directory, a single named source file also lands
// at dest/<name>.
func copyAdditions(s chainStep) []addition {
	in := s.in
	if len(in.Args()) < 2 {
		return nil
	}
	destTok := in.Args()[len(in.Args())-1]
	srcs := in.Args()[:len(in.Args())-1]
	dest, ok := s.expandedPath(destTok.Value)
	if !ok {
		return nil
	}
	destDir := strings.HasSuffix(dest, "/") || dest == "." || strings.HasSuffix(dest, "/.") || len(srcs) > 1
	p, ok := resolvePath(s.cwd, dest)
	if !ok {
		return nil
	}
	what := instructionText(in)
	out := []addition{{in: in, path: p, at: destTok.Range, what: what, srcs: srcs, dest: true}}
	if _, parents := in.Flag("parents"); !destDir || parents {
		return out
	}
	for _, src := range srcs {
		name, glob, ok := sourceName(in, src.Value)
		if !ok {
			continue
		}
		out = append(out, addition{in: in, path: path.Join(p, name), glob: glob, at: destTok.Range, what: what, srcs: []dockerfile.Token{src}})
	}
	return out
}

// sourceName is the name under which a COPY/ADD source lands in a destination
// directory, when that is known: a file named by the source (not a directory,
// whose contents are copied instead, and not an archive that ADD unpacks).
func sourceName(in *dockerfile.Instruction, src string) (name string, glob, ok bool) {
	if strings.HasPrefix(src, "<<") { // a heredoc: COPY <<app.conf /etc/app/
		name = strings.Trim(strings.TrimPrefix(strings.TrimPrefix(src, "<<"), "-"), `"'`)
		return name, false, name != "" && !strings.ContainsAny(name, "/$")
	}
	v, ok := expandedPath(in, src)
	if !ok || strings.HasSuffix(v, "/") || strings.HasSuffix(v, "/.") {
		return "", false, false
	}
	isURL := strings.Contains(v, "://")
	if isURL {
		if in.Keyword != "ADD" || strings.HasPrefix(v, "git") || strings.HasSuffix(v, ".git") || strings.Contains(v, ".git#") {
			return "", false, false // a git repository: a directory
		}
		if i := strings.IndexAny(v, "?#"); i >= 0 {
			v = v[:i]
		}
		if strings.Count(v, "/") < 3 { // https://host has no file name
			return "", false, false
		}
	}
	name = path.Base(v)
	if name == "." || name == ".." || name == "/" || name == "" {
		return "", false, false
	}
	if in.Keyword == "ADD" && !isURL && isArchiveName(name) {
		return "", false, false // unpacked into the destination
	}
	return name, strings.ContainsAny(name, "*?["), true
}

func isArchiveName(name string) bool {
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".tar.lz", ".tar.lzma", ".tlz"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// instructionText is an instruction as written on one line, shortened.
func instructionText(in *dockerfile.Instruction) string {
	parts := []string{in.Keyword}
	for _, fl := range in.Flags {
		if fl.Name == "from" || fl.Name == "parents" {
			s := "--" + fl.Name
			if fl.HasValue {
				s += "=" + fl.Value
			}
			parts = append(parts, s)
		}
	}
	parts = append(parts, strings.Join(strings.Fields(in.ArgsText), " "))
	return shortText(strings.Join(parts, " "))
}

// callText is a shell command of a RUN as a short one-line string.
func callText(c *dockerfile.Call) string {
	parts := []string{"RUN", c.Name}
	for _, a := range c.Args {
		parts = append(parts, a.Value)
	}
	return shortText(strings.Join(parts, " "))
}

// listAdders joins descriptions of the instructions that added something,
// showing at most three: with sep "; ", "A; B; C; and 2 more"; with sep "",
// "A, B and C" or "A, B, C and 2 more".
func listAdders(items []string, sep string) string {
	shown, more := items, ""
	if len(items) > 3 {
		shown, more = items[:3], fmt.Sprintf(" and %d more", len(items)-3)
	}
	switch {
	case sep != "" && more != "":
		return strings.Join(shown, sep) + strings.TrimRight(sep, " ") + more
	case sep != "":
		return strings.Join(shown, sep)
	case more != "":
		return strings.Join(shown, ", ") + more
	}
	return joinNames(shown)
}

func shortText(s string) string {
	const limit = 60
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit-3]) + "..."
}

// runScope resolves the paths a RUN's commands name.
type runScope struct {
	chainStep
	mounts []string // mount targets: writes there do not reach the layer
	// written are the script's calls as written; resolved[i] is written[i]
	// with the words whose values are known made literal (resolvedCall),
	// made on first use (call): only the few commands that write or delete
	// paths are read, and resolving every call of every RUN was most of
	// this analysis. A call's name and conditions are the same in both.
	written  []*dockerfile.Call
	resolved []*dockerfile.Call
}

func newRunScope(s chainStep) *runScope {
	rs := &runScope{chainStep: s, mounts: mountTargets(s.in)}
	if s.in.Script != nil {
		rs.written = s.in.Script.Calls
	}
	return rs
}

// call returns the i-th call with its known values substituted.
func (rs *runScope) call(i int) *dockerfile.Call {
	if rs.resolved == nil {
		rs.resolved = make([]*dockerfile.Call, len(rs.written))
	}
	if rs.resolved[i] == nil {
		rs.resolved[i] = resolvedCall(rs.written[i], rs.vars)
	}
	return rs.resolved[i]
}

// resolvedCall is the call with each word whose value the front end knows
// (variables substituted) made literal, so that `cp x $APP_ROOT/data` names
// /srv/app/data when an ENV set APP_ROOT. Words it cannot resolve stay as
// they are, and the path analyses skip them.
func resolvedCall(c *dockerfile.Call, vars *dockerfile.Vars) *dockerfile.Call {
	out := c
	for i, a := range c.Args {
		if a.Literal {
			continue
		}
		v, ok := a.Resolve(vars)
		if !ok {
			continue
		}
		if out == c {
			cp := *c
			cp.Args = slices.Clone(c.Args)
			out = &cp
		}
		out.Args[i] = dockerfile.Word{Value: v, Literal: true, Range: a.Range}
	}
	if c.Dir != nil && !c.Dir.Literal {
		if v, ok := c.Dir.Resolve(vars); ok {
			if out == c {
				cp := *c
				out = &cp
			}
			out.Dir = &dockerfile.Word{Value: v, Literal: true, Range: c.Dir.Range}
		}
	}
	return out
}

// shown is how a message shows a word of the i-th call: as written, with
// its value when a variable was substituted ("$DIR/x" (/srv/x)).
func (rs *runScope) shown(i int, w dockerfile.Word) string {
	for _, a := range rs.written[i].Args {
		if a.Range == w.Range && a.Value != w.Value {
			return fmt.Sprintf("%s (%s)", a.Value, w.Value)
		}
	}
	return w.Value
}

// path resolves a word of the i-th call to the absolute path it names in the
// image layer. It fails for words whose value is not known, relative paths
// after a `cd` (the working directory is then unknown) or under a wrapper's
// unknown directory, paths in a mount and pseudo-filesystems.
func (rs *runScope) path(i int, w dockerfile.Word) (string, bool) {
	if !w.Literal || w.Value == "-" {
		return "", false
	}
	cwd := rs.cwd
	for _, c := range rs.written[:i] {
		switch c.Name {
		case "cd", "pushd", "popd":
			cwd = ""
		}
	}
	if dir := rs.call(i).Dir; dir != nil {
		// env -C DIR, sudo -D DIR: the command runs there.
		d, ok := "", false
		if dir.Literal {
			d, ok = resolvePath(cwd, dir.Value)
		}
		cwd = ""
		if ok {
			cwd = d
		}
	}
	p, ok := resolvePath(cwd, w.Value)
	if !ok {
		return "", false
	}
	for _, sys := range []string{"/dev", "/proc", "/sys"} {
		if pathUnder(p, sys) {
			return "", false
		}
	}
	for _, m := range rs.mounts {
		if pathUnder(p, m) {
			return "", false
		}
	}
	return p, true
}

// mountTargets returns the cleaned targets of a RUN's --mount options: what
// the command writes or deletes there does not touch the layer.
func mountTargets(in *dockerfile.Instruction) []string {
	var out []string
	for _, m := range in.Mounts {
		if t, ok := expandedPath(in, m.Target); ok && strings.HasPrefix(t, "/") {
			out = append(out, path.Clean(t))
		}
	}
	return out
}

// runAdditions recognises the commands of a RUN that write files at paths
// the script names: downloads (curl -o, wget -O/-P), copies (cp, mv,
// install), unpacking (tar -x -C, unzip -d), git clone and touch. Commands that
// run only conditionally are skipped, and so are redirections.
func runAdditions(s chainStep) []addition {
	return runScopeAdditions(newRunScope(s))
}

// addingCommands are the commands runScopeAdditions reads; a call of any
// other command adds nothing it can name.
var addingCommands = &words{List: []string{"curl", "wget", "cp", "mv", "install", "tar", "unzip", "git", "touch"}}

// mayAddPaths reports whether a call of command name may add paths
// runScopeAdditions names: one of addingCommands, run unconditionally.
func mayAddPaths(name string, conditional bool) bool {
	return !conditional && addingCommands.Has(name)
}

func runScopeAdditions(rs *runScope) []addition {
	var out []addition
	for i, written := range rs.written {
		if !mayAddPaths(written.Name, written.Conditional) {
			continue
		}
		c := rs.call(i)
		add := func(w dockerfile.Word, empty bool) {
			if p, ok := rs.path(i, w); ok {
				out = append(out, addition{in: rs.in, path: p, empty: empty, at: c.Range, what: callText(c)})
			}
		}
		switch c.Name {
		case "curl":
			for _, w := range curlOutputs(c) {
				add(w, false)
			}
		case "wget":
			for _, w := range wgetOutputs(c) {
				add(w, false)
			}
		case "cp", "mv", "install":
			for _, w := range copyOutputs(c) {
				add(w, false)
			}
		case "tar":
			if dir, ok := tarExtractDir(c); ok {
				add(dir, false)
			}
		case "unzip":
			if dir, ok := unzipDir(c); ok {
				add(dir, false)
			}
		case "git":
			if dir, gitDir, ok := gitCloneDir(c); ok {
				add(dir, false)
				if gitDir {
					add(joinWord(dir, ".git", dir), false) // surely there, however unknown the rest
				}
			}
		case "touch":
			_, operands := splitOptions(c, "dtr", "--date", "--reference")
			for _, w := range operands {
				add(w, true)
			}
		}
	}
	return out
}

// copyOutputs are the paths cp, mv and install write: the destination, and
// DIR/<name> for each named source copied into a directory (-t DIR, or a
// destination written with a trailing slash or after several sources).
func copyOutputs(c *dockerfile.Call) []dockerfile.Word {
	valued := "tS"
	if c.Name == "install" {
		if c.HasOption("d", "--directory") {
			return nil // creates empty directories
		}
		valued = "tSmog"
	}
	opts, operands := splitOptions(c, valued, "--target-directory", "--suffix", "--mode", "--owner", "--group", "--strip-program")
	dir, ok := cmdOptionValue(opts, "t", "--target-directory")
	srcs := operands
	if !ok {
		if len(operands) < 2 {
			return nil
		}
		dir, srcs = operands[len(operands)-1], operands[:len(operands)-1]
		if len(srcs) == 1 && !strings.HasSuffix(dir.Value, "/") {
			return []dockerfile.Word{dir} // the copy itself, or a file in an existing directory
		}
	}
	out := []dockerfile.Word{dir}
	for _, src := range srcs {
		name := path.Base(src.Value)
		if !src.Literal || strings.HasSuffix(src.Value, "/") || name == "." || name == ".." || name == "/" {
			continue
		}
		out = append(out, joinWord(dir, name, dir))
	}
	return out
}

// option is one option of a command line, with its value when it takes one.
type cmdOption struct {
	name  string // "o" for -o, "--output" for --output
	value dockerfile.Word
	has   bool
}

// splitOptions splits a command's arguments getopt-style into options and
// operands. valuedShorts are the short options that take a value (in the same
// word, -ofile, or the next one), valuedLongs the long ones (--name=value or
// --name value). Options may follow operands, as GNU tools allow; "--" ends
// them.
func splitOptions(c *dockerfile.Call, valuedShorts string, valuedLongs ...string) (opts []cmdOption, operands []dockerfile.Word) {
	args := c.Args
	for i := 0; i < len(args); i++ {
		a := args[i]
		v := a.Value
		switch {
		case !a.Literal || v == "-" || !strings.HasPrefix(v, "-"):
			operands = append(operands, a)
		case v == "--":
			operands = append(operands, args[i+1:]...)
			return opts, operands
		case strings.HasPrefix(v, "--"):
			name, val, has := strings.Cut(v, "=")
			o := cmdOption{name: name}
			if has {
				o.value, o.has = dockerfile.Word{Value: val, Literal: true, Range: a.Range}, true
			} else if slices.Contains(valuedLongs, name) && i+1 < len(args) {
				i++
				o.value, o.has = args[i], true
			}
			opts = append(opts, o)
		default:
			for j := 1; j < len(v); j++ {
				o := cmdOption{name: v[j : j+1]}
				if strings.IndexByte(valuedShorts, v[j]) >= 0 {
					if j+1 < len(v) {
						o.value, o.has = dockerfile.Word{Value: v[j+1:], Literal: true, Range: a.Range}, true
					} else if i+1 < len(args) {
						i++
						o.value, o.has = args[i], true
					}
					opts = append(opts, o)
					break
				}
				opts = append(opts, o)
			}
		}
	}
	return opts, operands
}

// cmdOptionValue returns the value of the last of the named options.
func cmdOptionValue(opts []cmdOption, names ...string) (dockerfile.Word, bool) {
	var w dockerfile.Word
	found := false
	for _, o := range opts {
		if o.has && slices.Contains(names, o.name) {
			w, found = o.value, true
		}
	}
	return w, found
}

func hasCmdOption(opts []cmdOption, names ...string) bool {
	return slices.ContainsFunc(opts, func(o cmdOption) bool { return slices.Contains(names, o.name) })
}

// urlFileName is the file name a download saves a URL under by default.
func urlFileName(url string) (string, bool) {
	if !strings.Contains(url, "://") || strings.ContainsAny(url, "?#%") {
		return "", false
	}
	rest := url[strings.Index(url, "://")+3:]
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return "", false
	}
	name := path.Base(rest[i:])
	if name == "/" || name == "." || name == ".." || name == "" {
		return "", false
	}
	return name, true
}

// joinWord makes the word dir/name (dir may be empty: the working directory).
func joinWord(dir dockerfile.Word, name string, at dockerfile.Word) dockerfile.Word {
	w := at
	w.Literal = dir.Literal || dir.Value == ""
	w.Value = name
	if dir.Value != "" {
		w.Value = strings.TrimSuffix(dir.Value, "/") + "/" + name
	}
	return w
}

var curlValued = []string{"--output", "--output-dir", "--header", "--data", "--data-raw", "--data-binary",
	"--data-urlencode", "--data-ascii", "--user", "--request", "--user-agent", "--referer", "--cookie",
	"--cookie-jar", "--retry", "--retry-delay", "--retry-max-time", "--max-time", "--connect-timeout",
	"--proxy", "--proxy-user", "--cacert", "--capath", "--cert", "--key", "--form", "--upload-file",
	"--write-out", "--range", "--continue-at", "--config", "--url", "--resolve", "--limit-rate",
	"--max-filesize", "--proto", "--proto-redir", "--ciphers", "--interface", "--dns-servers",
	"--netrc-file", "--oauth2-bearer", "--max-redirs", "--speed-limit", "--speed-time", "--stderr",
	"--trace", "--trace-ascii", "--dump-header", "--connect-to", "--variable", "--expand-url", "--json",
	"--aws-sigv4", "--cert-type", "--key-type", "--pass", "--tls-max", "--retry-all-errors-max"}

// curlOutputs are the files curl writes: -o/--output (under --output-dir when
// relative), and -O/--remote-name for a single URL.
func curlOutputs(c *dockerfile.Call) []dockerfile.Word {
	opts, operands := splitOptions(c, "AbcCdDeEFHKmoPQrtTuUwxXyYz", curlValued...)
	dir, _ := cmdOptionValue(opts, "--output-dir")
	var out []dockerfile.Word
	for _, o := range opts {
		if (o.name == "o" || o.name == "--output") && o.has && o.value.Literal {
			if o.value.Value == "-" {
				continue
			}
			if strings.HasPrefix(o.value.Value, "/") || dir.Value == "" {
				out = append(out, o.value)
			} else {
				out = append(out, joinWord(dir, o.value.Value, o.value))
			}
		}
	}
	if len(out) == 0 && len(operands) == 1 && hasCmdOption(opts, "O", "--remote-name", "--remote-name-all") &&
		!hasCmdOption(opts, "J", "--remote-header-name") && operands[0].Literal {
		if name, ok := urlFileName(operands[0].Value); ok {
			out = append(out, joinWord(dir, name, operands[0]))
		}
	}
	return out
}

var wgetValued = []string{"--output-document", "--directory-prefix", "--output-file", "--append-output",
	"--execute", "--input-file", "--base", "--tries", "--timeout", "--wait", "--quota", "--level",
	"--accept", "--reject", "--domains", "--user-agent", "--header", "--user", "--password",
	"--post-data", "--post-file", "--load-cookies", "--save-cookies", "--ca-certificate", "--certificate",
	"--private-key", "--progress", "--http-user", "--http-password", "--max-redirect", "--dns-timeout",
	"--connect-timeout", "--read-timeout", "--limit-rate", "--exclude-directories", "--include-directories"}

// wgetOutputs are the files wget writes: -O, or the URL's file name in -P's
// directory (or the working directory) for a single, non-recursive download.
func wgetOutputs(c *dockerfile.Call) []dockerfile.Word {
	opts, operands := splitOptions(c, "oaeiBtOTwQPlARDXIU", wgetValued...)
	if o, ok := cmdOptionValue(opts, "O", "--output-document"); ok {
		if !o.Literal || o.Value == "-" {
			return nil
		}
		return []dockerfile.Word{o}
	}
	dir, hasDir := cmdOptionValue(opts, "P", "--directory-prefix")
	if hasCmdOption(opts, "r", "m", "--recursive", "--mirror", "--content-disposition", "--trust-server-names") || len(operands) != 1 || !operands[0].Literal {
		if hasDir {
			return []dockerfile.Word{dir} // a directory that receives the files
		}
		return nil
	}
	name, ok := urlFileName(operands[0].Value)
	if !ok {
		if hasDir {
			return []dockerfile.Word{dir}
		}
		return nil
	}
	return []dockerfile.Word{joinWord(dir, name, operands[0])}
}

// tarExtractDir is the directory a `tar -x` unpacks into: -C/--directory, or
// the working directory.
func tarExtractDir(c *dockerfile.Call) (dockerfile.Word, bool) {
	if len(c.Args) == 0 {
		return dockerfile.Word{}, false
	}
	extract := false
	first := c.Args[0].Value
	if first != "" && !strings.HasPrefix(first, "-") && strings.Trim(first, "abcdfghjklmnopqrstuvwxzABCDGHJKLMNOPRSTUVWXZ") == "" {
		extract = strings.ContainsRune(first, 'x') // old style: tar xzf file
	}
	opts, _ := splitOptions(c, "fCbHKLNgTVXI", "--file", "--directory", "--exclude", "--exclude-from",
		"--files-from", "--transform", "--xform", "--strip-components", "--owner", "--group", "--mode",
		"--use-compress-program", "--blocking-factor", "--format", "--to-command", "--newer", "--after-date")
	if hasCmdOption(opts, "x", "--extract", "--get") {
		extract = true
	}
	if !extract || hasCmdOption(opts, "t", "--list", "O", "--to-stdout", "--to-command") {
		return dockerfile.Word{}, false
	}
	if dir, ok := cmdOptionValue(opts, "C", "--directory"); ok {
		return dir, true
	}
	return dockerfile.Word{Value: ".", Literal: true, Range: c.Range}, true
}

// unzipDir is the directory `unzip` extracts into: -d, or the working directory.
func unzipDir(c *dockerfile.Call) (dockerfile.Word, bool) {
	opts, _ := splitOptions(c, "dxP")
	if hasCmdOption(opts, "l", "t", "p", "v", "Z", "z", "c") {
		return dockerfile.Word{}, false // list, test, pipe, comment: nothing written
	}
	if dir, ok := cmdOptionValue(opts, "d"); ok {
		return dir, true
	}
	return dockerfile.Word{Value: ".", Literal: true, Range: c.Range}, true
}

// gitCloneDir is the directory `git clone REPO [DIR]` creates; gitDir is set
// when it holds the repository's .git directory (not --bare, --mirror or
// --separate-git-dir).
func gitCloneDir(c *dockerfile.Call) (dir dockerfile.Word, gitDir, ok bool) {
	args := c.Args
	i := 0
	for i < len(args) && strings.HasPrefix(args[i].Value, "-") {
		if v := args[i].Value; v == "-C" || v == "-c" {
			return dir, false, false // another directory: not followed
		}
		i++
	}
	if i >= len(args) || args[i].Value != "clone" {
		return dir, false, false
	}
	sub := &dockerfile.Call{Name: "clone", Args: args[i+1:], Range: c.Range}
	opts, operands := splitOptions(sub, "bocuj", "--branch", "--origin", "--upload-pack", "--config", "--jobs",
		"--depth", "--reference", "--reference-if-able", "--separate-git-dir", "--template", "--filter",
		"--shallow-since", "--shallow-exclude", "--server-option", "--bundle-uri", "--ref-format")
	gitDir = !hasCmdOption(opts, "--bare", "--mirror", "--separate-git-dir")
	switch len(operands) {
	case 2:
		return operands[1], gitDir, true
	case 1:
		repo := operands[0]
		if !repo.Literal {
			return dir, false, false
		}
		name := strings.TrimSuffix(path.Base(strings.TrimRight(repo.Value, "/")), ".git")
		if i := strings.LastIndexByte(name, ':'); i >= 0 {
			name = name[i+1:] // git@host:repo
		}
		if name == "" || name == "." || name == ".." {
			return dir, false, false
		}
		return dockerfile.Word{Value: name, Literal: true, Range: repo.Range}, gitDir, true
	}
	return dir, false, false
}

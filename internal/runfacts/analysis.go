// Package runfacts answers "what does this RUN do?" once per file for every
// rule that judges RUN commands: which package managers install what, what
// is downloaded and piped where, which directories are removed, which build
// commands run, and which cache or tmpfs mounts keep files out of the layer.
//
// It reads only the front end's model (dockerfile.Call: shell-parsed,
// wrappers such as sudo, env and sh -c taken off); it never matches RUN text
// with regular expressions. Rules get the facts through
// rule.ResultOf(pass, runfacts.Analysis); each RUN is analysed lazily, the
// first time some rule asks about it, and the result is shared.
package runfacts

import (
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
)

// Analysis computes the facts of one file. Run depends only on the file.
var Analysis = &rule.Analysis[*Facts]{
	Name: "runfacts",
	Run:  func(p *rule.Pass) *Facts { return New(p.File) },
}

// Facts are the RUN facts of one file, computed on demand and kept.
type Facts struct {
	File *dockerfile.File

	runs     map[*dockerfile.Instruction]*Run
	final    []*Run
	finalSet bool
	aptChain *AptChain
}

// New returns the (not yet computed) facts of f. Rules use Analysis; New
// is for tests and tools that have no Pass.
func New(f *dockerfile.File) *Facts {
	return &Facts{File: f, runs: map[*dockerfile.Instruction]*Run{}}
}

// Run is what one RUN instruction does.
type Run struct {
	In *dockerfile.Instruction
	// Calls are the script's simple commands in order (nil when the RUN
	// has no parsed POSIX script).
	Calls []*dockerfile.Call
	// Mounts are the RUN's --mount options.
	Mounts []Mount

	vars     *dockerfile.Vars
	apt      *AptRun
	installs []Install
	pipes    []Pipe
	builds   []Build
	removals []Uninstall
	// Which of the above are computed; together, so that a Run (one per
	// RUN of every file) has no padding after each.
	aptDone, instDone, pipeDone, bldDone, rmDone bool
}

// Run returns the facts of a RUN instruction; nil for any other
// instruction and for an invalid RUN.
func (f *Facts) Run(in *dockerfile.Instruction) *Run {
	if in == nil || in.Keyword != "RUN" || in.Invalid {
		return nil
	}
	if r, ok := f.runs[in]; ok {
		return r
	}
	r := &Run{In: in, Mounts: readMounts(in)}
	if in.Script != nil && in.Script.Err == nil {
		r.Calls = in.Script.Calls
	}
	f.runs[in] = r
	return r
}

// Final returns the RUNs of the final image (the target stage and the
// stages it is built FROM), in build order.
func (f *Facts) Final() []*Run {
	if !f.finalSet {
		f.finalSet = true
		for _, in := range f.File.FinalInstructions() {
			if r := f.Run(in); r != nil {
				f.final = append(f.final, r)
			}
		}
	}
	return f.final
}

// Stage returns the RUNs of one stage (not its parents), in order.
func (f *Facts) Stage(s *dockerfile.Stage) []*Run {
	var out []*Run
	for _, in := range s.Instructions {
		if r := f.Run(in); r != nil {
			out = append(out, r)
		}
	}
	return out
}

// AptChain is the apt analysis of the final image (DV400, DV401).
func (f *Facts) AptChain() *AptChain {
	if f.aptChain == nil {
		f.aptChain = f.analyzeAptChain()
	}
	return f.aptChain
}

// Apt is the RUN's apt activity; nil when it has no parsed script.
func (r *Run) Apt() *AptRun {
	if !r.aptDone {
		r.aptDone = true
		r.apt = analyzeApt(r)
	}
	return r.apt
}

// Vars resolves the variables of the RUN's script from the ARG and ENV
// values in scope (the base image's Env is not consulted: the facts must not
// depend on whether some enabled rule looked the base image up).
func (r *Run) Vars() *dockerfile.Vars {
	if r.vars == nil {
		r.vars = r.In.ScriptVars(nil)
	}
	return r.vars
}

// CommandEnv is the value of the environment variable name for call c of
// the RUN (see dockerfile.Vars.CommandEnv). A variable that neither the
// Dockerfile (ARG, ENV) nor the script mentions is taken as unset: the
// rules ask about tool settings (PIP_NO_CACHE_DIR, cache directories) that
// base images do not set, and without this every such variable would be
// unknown whenever the base image is.
func (r *Run) CommandEnv(c *dockerfile.Call, name string) (value string, set, known bool) {
	value, set, known = r.Vars().CommandEnv(c, name)
	if known {
		return value, set, known
	}
	if r.In.Script != nil && strings.Contains(r.In.Script.Text, name) {
		return "", false, false
	}
	if _, unresolved := r.In.Expand("${" + name + "}"); len(unresolved) == 0 {
		return "", false, false // an ARG or ENV sets it, to a value not known here
	}
	return "", false, true
}

// IndexOf returns the index of c in r.Calls, -1 when it is not there.
func (r *Run) IndexOf(c *dockerfile.Call) int {
	for i, x := range r.Calls {
		if x == c {
			return i
		}
	}
	return -1
}

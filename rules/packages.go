package rules

import (
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/runfacts"
	"github.com/dockvet/dockvet/internal/source"
)

// The analysis of what a RUN does (package installs, removals, downloads,
// pipes, builds, mounts) lives in internal/runfacts and is computed once per
// file. These are the few small helpers the rules share on top of it.

// runFacts returns the shared RUN facts of the pass's file.
func runFacts(pass *rule.Pass) *runfacts.Facts { return rule.ResultOf(pass, runfacts.Analysis) }

// wordSet builds a lookup table.
func wordSet(words ...string) map[string]bool { return runfacts.WordSet(words...) }

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

// callThrough is the range from a call's program name to its i-th argument.
func callThrough(c *dockerfile.Call, i int) source.Range { return runfacts.CallThrough(c, i) }

// shellName is the program of a SHELL, "/bin/sh" by default.
func shellName(shell []string) string {
	if len(shell) == 0 {
		return "/bin/sh"
	}
	return shell[0]
}

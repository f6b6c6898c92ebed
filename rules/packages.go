package rules

import (
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/runfacts"
)

// The analysis of what a RUN does (package installs, removals, downloads,
// pipes, builds, mounts) lives in internal/runfacts and is computed once per
// file. These are the few small helpers the rules share on top of it.

// runFacts returns the shared RUN facts of the pass's file.
func runFacts(pass *rule.Pass) *runfacts.Facts { return rule.ResultOf(pass, runfacts.Analysis) }

// words is a set of words (runfacts.Words): &words{List: ...} at package
// level costs nothing at start-up.
type words = runfacts.Words

// shellName is the program of a SHELL, "/bin/sh" by default.
func shellName(shell []string) string {
	if len(shell) == 0 {
		return "/bin/sh"
	}
	return shell[0]
}

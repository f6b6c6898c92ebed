package rules

import (
	"fmt"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

// The apt analysis shared by DV400 (apt-lists-not-removed), DV401
// (split-apt-cleanup) and DV402 (apt-update-alone).
//
// `apt-get update` downloads the package index into /var/lib/apt/lists (tens
// of MB); install and upgrade read it. Only a removal of that directory in
// the same RUN keeps it out of the layer; `apt-get clean` does not touch it
// (it empties /var/cache/apt/archives).

const aptListsDir = "/var/lib/apt/lists"

var (
	aptManagers = wordSet("apt-get", "apt", "aptitude")
	// aptValued are the apt-get/apt/aptitude options that take a separate value.
	aptValued = wordSet("-o", "-c", "-t", "-a", "-S", "-F", "-w",
		"--option", "--config-file", "--target-release", "--default-release",
		"--host-architecture", "--sort", "--display-format", "--width")
	// aptInstalls are the sub-commands that read the index and install or
	// download packages.
	aptInstalls = wordSet("install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade",
		"safe-upgrade", "build-dep", "satisfy", "download", "source")
	// aptHarmless are the sub-commands that neither read the index to install
	// nor download it.
	aptHarmless = wordSet("clean", "autoclean", "autoremove", "auto-remove", "remove", "purge",
		"check", "dist-clean", "distclean", "list", "show", "policy", "search", "changelog",
		"showpkg", "markauto", "unmarkauto", "hold", "unhold", "forget-new")
	aptLists = pathSpec{abs: []string{aptListsDir, "/var/lib/apt"}, globIn: []string{aptListsDir}}
)

// aptOp classifies one call.
type aptOp int

const (
	aptOther   aptOp = iota // not apt, or a sub-command we do not model
	aptUpdate               // apt-get update
	aptInstall              // apt-get install, upgrade, ...
	aptBenign               // an apt sub-command that neither installs nor fetches the index
)

// aptStep is an update or install call.
type aptStep struct {
	Call *dockerfile.Call
	Op   aptOp
	Verb string       // "apt-get install"
	Rng  source.Range // from the program name through the sub-command
}

// aptRun is what one RUN does with apt.
type aptRun struct {
	In *dockerfile.Instruction
	// Mounted: the lists live in a cache or tmpfs mount, not in the layer.
	Mounted bool
	// Steps are the update and install calls in order; Pending are those
	// that no cleanup later in the same RUN surely follows.
	Steps, Pending []aptStep
	// Cleanup is the first unconditional call that surely removes the
	// lists; CleanupRng points at it (the rm through the lists operand).
	Cleanup    *dockerfile.Call
	CleanupRng source.Range
	// UpdatesBeforeCleanup: an apt-get update runs before Cleanup, so the
	// lists Cleanup removes are this RUN's own, downloaded afresh. Such a RUN
	// is self-contained, not the split cleanup of an earlier install: the
	// earlier layer keeps its own copy of the lists whatever this RUN deletes.
	UpdatesBeforeCleanup bool
	// AfterLeftover: an earlier RUN of the final image already left the
	// lists in its layer (set by analyzeAptChain).
	AfterLeftover bool
	// Sure is set when every call that is not an apt update is known not to
	// install anything (echo, rm, apt-key, ...): then "an update without an
	// install" is certain.
	Sure bool
}

// aptClassify returns the operation of a call and the index of its sub-command.
func aptClassify(c *dockerfile.Call) (aptOp, int) {
	if !aptManagers[c.Name] {
		return aptOther, -1
	}
	i, ok := subcommand(c, 0, aptValued)
	if !ok {
		return aptOther, -1
	}
	switch sub := c.Args[i].Value; {
	case sub == "update":
		return aptUpdate, i
	case aptInstalls[sub]:
		return aptInstall, i
	case aptHarmless[sub]:
		return aptBenign, i
	}
	return aptOther, i
}

// aptCleanup reports whether a call removes the lists, and where.
func aptCleanup(in *dockerfile.Instruction, c *dockerfile.Call) (rmMatch, source.Range) {
	if c.Name == "apt-get" || c.Name == "apt" {
		if op, i := aptClassify(c); op == aptBenign {
			if sub := c.Args[i].Value; sub == "dist-clean" || sub == "distclean" {
				return rmYes, callThrough(c, i)
			}
		}
		return rmNo, source.Range{}
	}
	m, w := callRemoves(in, c, aptLists, true)
	if m == rmNo {
		return rmNo, source.Range{}
	}
	return m, source.Span(c.NameRange, w.Range)
}

// quietCommands install nothing: an `apt-get update` next to them only is an
// update without an install.
var quietCommands = wordSet("set", "echo", "printf", "true", "false", ":", "export", "cd",
	"mkdir", "rm", "ln", "cp", "mv", "chmod", "chown", "touch", "cat", "tee", "sed",
	"grep", "test", "[", "sleep", "apt-key", "apt-cache", "apt-mark", "gpg", "curl",
	"wget", "add-apt-repository", "dpkg", "dpkg-reconfigure", "debconf-set-selections",
	"locale-gen", "update-locale", "update-ca-certificates", "ldconfig", "useradd",
	"groupadd", "adduser", "addgroup", "usermod", "ls", "env", "unset", "tr", "awk",
	"mktemp", "gpgconf", "install")

// analyzeAptRun describes a RUN's apt activity; nil when it has no parsed script.
func analyzeAptRun(in *dockerfile.Instruction) *aptRun {
	calls := runScript(in)
	if len(calls) == 0 {
		return nil
	}
	r := &aptRun{In: in, Mounted: mountKeepsOut(in, aptListsDir), Sure: true}
	isClean := func(c *dockerfile.Call) rmMatch { m, _ := aptCleanup(in, c); return m }
	for i, c := range calls {
		op, sub := aptClassify(c)
		switch op {
		case aptUpdate, aptInstall:
			st := aptStep{Call: c, Op: op, Verb: c.Name + " " + c.Args[sub].Value, Rng: callThrough(c, sub)}
			r.Steps = append(r.Steps, st)
			if !cleanedAfter(calls, i, isClean) {
				r.Pending = append(r.Pending, st)
			}
		case aptOther:
			if !quietCommands[c.Name] {
				r.Sure = false
			}
		}
		if r.Cleanup == nil && !c.Conditional {
			if m, rng := aptCleanup(in, c); m == rmYes {
				r.Cleanup, r.CleanupRng = c, rng
				r.UpdatesBeforeCleanup = r.hasUpdate()
			}
		}
	}
	return r
}

// leftover reports whether the RUN leaves the lists in its layer.
func (r *aptRun) leftover() bool { return !r.Mounted && len(r.Pending) > 0 }

// firstPending returns the first pending step of the given operation; for
// aptInstall an `install` is preferred to an upgrade before it.
func (r *aptRun) firstPending(op aptOp) (aptStep, bool) {
	var first *aptStep
	for i, st := range r.Pending {
		if st.Op != op {
			continue
		}
		if op != aptInstall || strings.HasSuffix(st.Verb, " install") {
			return st, true
		}
		if first == nil {
			first = &r.Pending[i]
		}
	}
	if first != nil {
		return *first, true
	}
	return aptStep{}, false
}

// updateAlone returns the update of a RUN that surely runs apt-get update
// without installing anything, and leaves the index behind (DV402).
func (r *aptRun) updateAlone() (aptStep, bool) {
	if !r.Sure {
		return aptStep{}, false
	}
	for _, st := range r.Steps {
		if st.Op == aptInstall {
			return aptStep{}, false
		}
	}
	return r.firstPending(aptUpdate)
}

// hasUpdate reports whether the RUN runs apt-get update (downloads the index).
func (r *aptRun) hasUpdate() bool {
	for _, st := range r.Steps {
		if st.Op == aptUpdate {
			return true
		}
	}
	return false
}

// culprit is the step a finding about this leftover RUN names: its first
// pending install, else its first pending update.
func (r *aptRun) culprit() aptStep {
	if st, ok := r.firstPending(aptInstall); ok {
		return st
	}
	return r.Pending[0]
}

// aptSplit is a DV401 finding: a cleanup RUN and the earlier RUNs whose
// lists it was meant to remove. A RUN that runs its own apt-get update before
// its cleanup removes the lists it downloaded itself: it is no split cleanup,
// and the earlier RUNs stay unclean (DV400).
type aptSplit struct {
	Cleanup *aptRun
	Earlier []*aptRun
}

// aptChain is the apt analysis of the final image.
type aptChain struct {
	// Unclean are the RUNs that leave the lists and that no later RUN tries
	// to clean up (DV400 reports those that install). A later RUN that runs
	// its own update before its cleanup does not try: it cleans up after
	// itself.
	Unclean []*aptRun
	Splits  []aptSplit
}

func analyzeAptChain(f *dockerfile.File) aptChain {
	var ch aptChain
	var open []*aptRun // leftovers not yet followed by a cleanup RUN
	leftBefore := false
	for _, in := range finalRuns(f) {
		r := analyzeAptRun(in)
		if r == nil {
			continue
		}
		if r.Cleanup != nil && !r.UpdatesBeforeCleanup && len(open) > 0 {
			ch.Splits = append(ch.Splits, aptSplit{Cleanup: r, Earlier: open})
			open = nil
		}
		r.AfterLeftover = leftBefore
		if r.leftover() {
			open = append(open, r)
			leftBefore = true
		}
	}
	ch.Unclean = open
	return ch
}

// lineList formats the lines of the RUNs: "line 3" or "lines 3 and 5".
func lineList(runs []*aptRun) string {
	nums := make([]string, len(runs))
	for i, r := range runs {
		nums[i] = fmt.Sprint(r.culprit().Rng.Start.Line)
	}
	if len(nums) == 1 {
		return "line " + nums[0]
	}
	return "lines " + strings.Join(nums[:len(nums)-1], ", ") + " and " + nums[len(nums)-1]
}

// relatedSteps points at the culprit of each earlier RUN.
func relatedSteps(runs []*aptRun) []finding.Related {
	out := make([]finding.Related, len(runs))
	for i, r := range runs {
		st := r.culprit()
		out[i] = finding.Related{Range: st.Rng, Message: fmt.Sprintf("%s runs here; this layer keeps %s", st.Verb, aptListsDir)}
	}
	return out
}

package runfacts

import (
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/source"
)

// What a RUN does with apt, for DV400 (apt-lists-not-removed), DV401
// (split-apt-cleanup) and DV402 (apt-update-alone).
//
// `apt-get update` downloads the package index into /var/lib/apt/lists (tens
// of MB); install and upgrade read it. Only a removal of that directory in
// the same RUN keeps it out of the layer; `apt-get clean` does not touch it
// (it empties /var/cache/apt/archives).

// AptListsDir is where apt keeps the package index.
const AptListsDir = "/var/lib/apt/lists"

var (
	aptManagers = &Words{List: []string{"apt-get", "apt", "aptitude"}}
	// AptValued are the apt-get/apt/aptitude options that take a separate value.
	AptValued = &Words{List: []string{"-o", "-c", "-t", "-a", "-S", "-F", "-w",
		"--option", "--config-file", "--target-release", "--default-release",
		"--host-architecture", "--sort", "--display-format", "--width"}}
	// aptInstalls are the sub-commands that read the index and install or
	// download packages.
	aptInstalls = &Words{List: []string{"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade",
		"safe-upgrade", "build-dep", "satisfy", "download", "source"}}
	// aptHarmless are the sub-commands that neither read the index to install
	// nor download it.
	aptHarmless = &Words{List: []string{"clean", "autoclean", "autoremove", "auto-remove", "remove", "purge",
		"check", "dist-clean", "distclean", "list", "show", "policy", "search", "changelog",
		"showpkg", "markauto", "unmarkauto", "hold", "unhold", "forget-new"}}
	// AptLists is the index directory as a removal target.
	AptLists = PathSpec{Abs: []string{AptListsDir, "/var/lib/apt"}, GlobIn: []string{AptListsDir}}
)

// AptOp classifies one call.
type AptOp int

const (
	AptOther   AptOp = iota // not apt, or a sub-command we do not model
	AptUpdate               // apt-get update
	AptInstall              // apt-get install, upgrade, ...
	AptBenign               // an apt sub-command that neither installs nor fetches the index
)

// AptStep is an update or install call.
type AptStep struct {
	Call  *dockerfile.Call
	Index int // of Call in Run.Calls
	Op    AptOp
	Verb  string       // "apt-get install"
	Rng   source.Range // from the program name through the sub-command
}

// AptRun is what one RUN does with apt.
type AptRun struct {
	Run *Run
	// Mounted: the lists live in a cache or tmpfs mount, not in the layer.
	Mounted bool
	// Steps are the update and install calls in order; Pending are those
	// that no cleanup later in the same RUN surely follows.
	Steps, Pending []AptStep
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
	// lists in its layer (set by the chain analysis).
	AfterLeftover bool
	// Sure is set when every call that is not an apt update is known not to
	// install anything (echo, rm, apt-key, ...): then "an update without an
	// install" is certain.
	Sure bool
}

// AptClassify returns the operation of a call and the index of its sub-command.
func AptClassify(c *dockerfile.Call) (AptOp, int) {
	if !aptManagers.Has(c.Name) {
		return AptOther, -1
	}
	i, ok := Subcommand(c, 0, AptValued)
	if !ok {
		return AptOther, -1
	}
	switch sub := c.Args[i].Value; {
	case sub == "update":
		return AptUpdate, i
	case aptInstalls.Has(sub):
		return AptInstall, i
	case aptHarmless.Has(sub):
		return AptBenign, i
	}
	return AptOther, i
}

// aptCleanup reports whether a call removes the lists, and where.
func (r *Run) aptCleanup(c *dockerfile.Call) (RmMatch, source.Range) {
	if c.Name == "apt-get" || c.Name == "apt" {
		if op, i := AptClassify(c); op == AptBenign {
			if sub := c.Args[i].Value; sub == "dist-clean" || sub == "distclean" {
				return RmYes, CallThrough(c, i)
			}
		}
		return RmNo, source.Range{}
	}
	m, w := r.Removes(c, AptLists, true)
	if m == RmNo {
		return RmNo, source.Range{}
	}
	return m, source.Span(c.NameRange, w.Range)
}

// quietCommands install nothing: an `apt-get update` next to them only is an
// update without an install.
var quietCommands = &Words{List: []string{"set", "echo", "printf", "true", "false", ":", "export", "cd",
	"mkdir", "rm", "ln", "cp", "mv", "chmod", "chown", "touch", "cat", "tee", "sed",
	"grep", "test", "[", "sleep", "apt-key", "apt-cache", "apt-mark", "gpg", "curl",
	"wget", "add-apt-repository", "dpkg", "dpkg-reconfigure", "debconf-set-selections",
	"locale-gen", "update-locale", "update-ca-certificates", "ldconfig", "useradd",
	"groupadd", "adduser", "addgroup", "usermod", "ls", "env", "unset", "tr", "awk",
	"mktemp", "gpgconf", "install"}}

// analyzeApt describes a RUN's apt activity; nil when it has no parsed script.
func analyzeApt(run *Run) *AptRun {
	calls := run.Calls
	if len(calls) == 0 {
		return nil
	}
	r := &AptRun{Run: run, Mounted: run.KeepsOut(AptListsDir), Sure: true}
	// Each call is classified once: cleanedAfter asks about every later call
	// of every step. Indexed by position: a map per RUN cost more than the
	// lookups.
	cleans := make([]RmMatch, len(calls))
	cleanup, cleanupRng := -1, source.Range{} // the first unconditional call that surely removes the lists
	for i, c := range calls {
		var rng source.Range
		cleans[i], rng = run.aptCleanup(c)
		if cleanup < 0 && !c.Conditional && cleans[i] == RmYes {
			cleanup, cleanupRng = i, rng
		}
	}
	isClean := func(j int) RmMatch { return cleans[j] }
	for i, c := range calls {
		op, sub := AptClassify(c)
		switch op {
		case AptUpdate, AptInstall:
			st := AptStep{Call: c, Index: i, Op: op, Verb: c.Name + " " + c.Args[sub].Value, Rng: CallThrough(c, sub)}
			r.Steps = append(r.Steps, st)
			if !run.cleanedAfter(i, isClean) {
				r.Pending = append(r.Pending, st)
			}
		case AptOther:
			if !quietCommands.Has(c.Name) {
				r.Sure = false
			}
		}
		if i == cleanup {
			r.Cleanup, r.CleanupRng = c, cleanupRng
			r.UpdatesBeforeCleanup = r.HasUpdate()
		}
	}
	return r
}

// Leftover reports whether the RUN leaves the lists in its layer.
func (r *AptRun) Leftover() bool { return !r.Mounted && len(r.Pending) > 0 }

// FirstPending returns the first pending step of the given operation; for
// AptInstall an `install` is preferred to an upgrade before it.
func (r *AptRun) FirstPending(op AptOp) (AptStep, bool) {
	var first *AptStep
	for i, st := range r.Pending {
		if st.Op != op {
			continue
		}
		if op != AptInstall || strings.HasSuffix(st.Verb, " install") {
			return st, true
		}
		if first == nil {
			first = &r.Pending[i]
		}
	}
	if first != nil {
		return *first, true
	}
	return AptStep{}, false
}

// UpdateAlone returns the update of a RUN that surely runs apt-get update
// without installing anything, and leaves the index behind (DV402).
func (r *AptRun) UpdateAlone() (AptStep, bool) {
	if !r.Sure {
		return AptStep{}, false
	}
	for _, st := range r.Steps {
		if st.Op == AptInstall {
			return AptStep{}, false
		}
	}
	return r.FirstPending(AptUpdate)
}

// HasUpdate reports whether the RUN runs apt-get update (downloads the index).
func (r *AptRun) HasUpdate() bool {
	for _, st := range r.Steps {
		if st.Op == AptUpdate {
			return true
		}
	}
	return false
}

// Culprit is the step a finding about this leftover RUN names: its first
// pending install, else its first pending update.
func (r *AptRun) Culprit() AptStep {
	if st, ok := r.FirstPending(AptInstall); ok {
		return st
	}
	return r.Pending[0]
}

// AptSplit is a DV401 finding: a cleanup RUN and the earlier RUNs whose
// lists it was meant to remove. A RUN that runs its own apt-get update before
// its cleanup removes the lists it downloaded itself: it is no split cleanup,
// and the earlier RUNs stay unclean (DV400).
type AptSplit struct {
	Cleanup *AptRun
	Earlier []*AptRun
}

// AptChain is the apt analysis of the final image.
type AptChain struct {
	// Unclean are the RUNs that leave the lists and that no later RUN tries
	// to clean up (DV400 reports those that install). A later RUN that runs
	// its own update before its cleanup does not try: it cleans up after
	// itself.
	Unclean []*AptRun
	Splits  []AptSplit
}

func (f *Facts) analyzeAptChain() *AptChain {
	ch := &AptChain{}
	var open []*AptRun // leftovers not yet followed by a cleanup RUN
	leftBefore := false
	for _, run := range f.Final() {
		r := run.Apt()
		if r == nil {
			continue
		}
		split := r.Cleanup != nil && !r.UpdatesBeforeCleanup && len(open) > 0
		if !split && !r.Leftover() {
			continue // the chain keeps nothing of this RUN (most RUNs)
		}
		// AfterLeftover depends on the chain: keep the per-RUN result
		// untouched and give the chain its own copy.
		c := *r
		r = &c
		if split {
			ch.Splits = append(ch.Splits, AptSplit{Cleanup: r, Earlier: open})
			open = nil
		}
		r.AfterLeftover = leftBefore
		if r.Leftover() {
			open = append(open, r)
			leftBefore = true
		}
	}
	ch.Unclean = open
	return ch
}

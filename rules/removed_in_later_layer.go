package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// RemovedInLaterLayer is DV404.
var RemovedInLaterLayer = &rule.Rule{
	ID:       "DV404",
	Name:     "removed-in-later-layer",
	Severity: finding.SeverityWarning,
	Summary:  "a RUN deletes files an earlier instruction added: the bytes stay in the earlier layer",
	Doc: `Every instruction that changes files makes a layer, and layers only ever add:
deleting a file in a later RUN hides it from the container but leaves its
bytes in the layer that added it. The image is pulled, stored and copied at
its full size. COPY installer.run /tmp/ followed by RUN /tmp/installer.run &&
rm /tmp/installer.run ships the installer anyway.

The rule reports an rm in a RUN of the final image that deletes a path an
earlier COPY, ADD or RUN (curl -o, wget -O, cp, mv, tar -x -C, git clone, ...)
added, whether it names the path itself, a parent directory or a matching
glob. It stays silent when the same RUN created the file (download, use and
delete in one layer is the right pattern), when the rm runs only
conditionally, and when it cannot be sure the file came from that instruction
(for example deleting one file inside a directory that COPY filled with
unknown content).

Create, use and delete the file in one RUN; for files from the build context,
use RUN --mount=type=bind (nothing is copied into a layer), or do the work in
a build stage and COPY --from only the result.`,
	Bad: `FROM debian:12-slim
COPY installer.run /tmp/installer.run
RUN sh /tmp/installer.run && rm /tmp/installer.run`,
	Good: `FROM debian:12-slim
RUN --mount=type=bind,source=installer.run,target=/tmp/installer.run \
    sh /tmp/installer.run`,
	// NeedsBase: RUN scripts see the base image's Env (passBaseEnv), so a
	// path like $APP/big.bin resolves only with the base image looked up.
	NeedsBase:  true,
	Check:      checkRemovedInLaterLayer,
	CheckImage: func(ip *rule.ImagePass) { historyCheck(ip, checkRemovedInLaterLayer, "") },
}

func checkRemovedInLaterLayer(pass *rule.Pass) {
	// Most files never delete what an earlier instruction added (an rm of
	// apt's lists in the first RUN is the common case): then the final
	// image's additions need not be worked out.
	if !finalChainRemovesAfterAdding(pass.File) {
		return
	}
	var earlier additionIndex
	for _, s := range rule.ResultOf(pass, finalAdditions) {
		if s.in.Keyword == "RUN" && !s.in.Invalid && len(earlier.all) > 0 {
			reportLaterRemovals(pass, s.run, &earlier)
		}
		for _, a := range s.adds {
			if !a.empty {
				earlier.add(a)
			}
		}
	}
}

// finalChainRemovesAfterAdding reports whether a RUN of the final image calls
// rm unconditionally after an instruction that may have added something: a
// COPY or ADD, or a RUN calling one of addingCommands unconditionally. It
// is what checkRemovedInLaterLayer needs before it can report, read from
// the instructions alone.
func finalChainRemovesAfterAdding(f *dockerfile.File) bool {
	added := false
	for _, st := range f.FinalChain() {
		for _, in := range st.Instructions {
			if in.Invalid {
				continue
			}
			switch in.Keyword {
			case "COPY", "ADD":
				added = true
			case "RUN":
				if in.Script == nil {
					continue
				}
				for _, c := range in.Script.Calls {
					if added && mayRemovePaths(c.Name, c.Conditional) {
						return true
					}
				}
				// What this RUN adds counts only for later ones: an rm of
				// the same RUN's download is the right pattern.
				for _, c := range in.Script.Calls {
					if mayAddPaths(c.Name, c.Conditional) {
						added = true
					}
				}
			}
		}
	}
	return false
}

// additionIndex holds what earlier layers added, indexed by every directory
// above each path (and the path itself), so that finding what one rm deletes
// costs what it matches rather than a scan of every earlier addition: a file
// with thousands of COPY and rm lines was quadratic (issue 7, item 11).
type additionIndex struct {
	all   []addition
	under map[string][]int // a path or directory -> indices into all, in order
}

func (x *additionIndex) add(a addition) {
	if x.under == nil {
		x.under = map[string][]int{}
	}
	i := len(x.all)
	x.all = append(x.all, a)
	for p := a.path; ; p = path.Dir(p) {
		x.under[p] = append(x.under[p], i)
		if p == "/" || p == "." {
			return
		}
	}
}

// candidates returns, in order, the indices of the additions that deleting
// target could touch: those at or under target, or for a glob, under the
// directory before its first pattern character ("*" and "?" never match a
// "/", so a match lies below it). A relative target is compared with every
// addition.
func (x *additionIndex) candidates(target string) []int {
	if !strings.HasPrefix(target, "/") {
		idx := make([]int, len(x.all))
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	if i := strings.IndexAny(target, "*?["); i >= 0 {
		return x.under[path.Dir(target[:i+1])]
	}
	return x.under[target]
}

// mayRemovePaths reports whether a call of command name is one whose
// operands reportLaterRemovals reads as deleted paths: rm, run
// unconditionally. finalChainRemovesAfterAdding asks it too, so that the
// early exit never skips a deletion the report would read.
func mayRemovePaths(name string, conditional bool) bool {
	return name == "rm" && !conditional
}

func reportLaterRemovals(pass *rule.Pass, rs *runScope, earlier *additionIndex) {
	for i, written := range rs.written {
		if !mayRemovePaths(written.Name, written.Conditional) {
			continue
		}
		c := rs.call(i)
		_, operands := splitOptions(c, "")
		for _, w := range operands {
			target, ok := rs.path(i, w)
			if !ok || target == "/" {
				continue
			}
			var related []finding.Related
			var lines []string
			var first *addition
			seen := map[*dockerfile.Instruction]bool{}
			for _, k := range earlier.candidates(target) {
				a := &earlier.all[k]
				if seen[a.in] || !deletesAddition(target, a) {
					continue
				}
				seen[a.in] = true
				if first == nil {
					first = a
				}
				related = append(related, finding.Related{Range: a.at, Message: fmt.Sprintf("adds %s in this layer", a.path)})
				lines = append(lines, fmt.Sprintf("line %d (%s)", a.in.StartLine, a.what))
			}
			if first == nil {
				continue
			}
			advice := "delete it in the same RUN that creates it"
			if first.in.Keyword != "RUN" {
				advice = "use RUN --mount=type=bind for files the build only needs temporarily, or do the work in a build stage and COPY --from only the result"
			}
			pass.Report(rule.Diagnostic{
				Range: w.Range,
				Message: fmt.Sprintf("rm %s deletes what %s added: the bytes stay in that earlier layer and the image does not shrink; %s",
					rs.shown(i, w), listAdders(lines, ""), advice),
				Related: related,
			})
		}
	}
}

// deletesAddition reports whether deleting target (a path or a glob) deletes what a
// names: the path itself, a parent directory of it, or a glob matching either.
// Deleting something inside a directory whose content is unknown is not
// counted.
func deletesAddition(target string, a *addition) bool {
	if pathUnder(a.path, target) {
		return true
	}
	if !strings.ContainsAny(target, "*?[") {
		return false
	}
	for p := a.path; p != "/" && p != "."; p = path.Dir(p) {
		if ok, _ := path.Match(target, p); ok {
			return true
		}
	}
	return false
}

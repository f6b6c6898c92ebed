package rules_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/bkcheck"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
	"github.com/dockvet/dockvet/rules"
)

// buildkitChecks are BuildKit v0.34.2's checks; dockvet's rule for each
// has BuildKit's name as its id.
var buildkitChecks = bkcheck.Names

// reportedInsteadOf lists the dockvet rules that report a BuildKit check's
// finding under their own id (SPEC: where DV300/DV301 report an
// instruction, JSONArgsRecommended is not reported again).
var reportedInsteadOf = map[string][]string{
	"JSONArgsRecommended": {"DV300", "DV301"},
}

// defaultCaseEnv is the fake base's Env when a case has no base JSON (the
// oracle, tools/bkoracle, uses the same).
const defaultCaseEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// caseBase is a case's <case>.base.json.
type caseBase struct {
	OS           string   `json:"os"`
	Architecture string   `json:"architecture"`
	Variant      string   `json:"variant"`
	Env          []string `json:"env"`
	Shell        []string `json:"shell"`
	OnBuild      []string `json:"onbuild"`
}

// Resolve answers every lookup with the case's base, as the oracle's fake
// resolver answers BuildKit: the requested platform unless the base names
// one.
func (b caseBase) Resolve(_ context.Context, reqs []registry.Request) []registry.Result {
	out := make([]registry.Result, len(reqs))
	for i, q := range reqs {
		platform := strings.Split(cmpOr(q.Platform, "linux/amd64"), "/")
		img := &image.Image{Ref: q.Ref, OS: platform[0], Env: slices.Clone(b.Env), Shell: slices.Clone(b.Shell)}
		if len(platform) > 1 {
			img.Architecture = platform[1]
		}
		if len(platform) > 2 {
			img.Variant = platform[2]
		}
		if b.OS != "" {
			img.OS = b.OS
		}
		if b.Architecture != "" {
			img.Architecture, img.Variant = b.Architecture, b.Variant
		}
		out[i].Image = img
	}
	return out
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// caseVerdict is a parsed <case>.want: BuildKit's (check, line) pairs and
// the hard error that stopped its analysis, if any.
type caseVerdict struct {
	pairs     []string // "Check:line", sorted
	stopped   bool     // BuildKit stopped early: its answer lacks what follows
	errorLine int      // where (0: no location, so possibly anywhere)
	errorMsg  string
}

func readCaseVerdict(t *testing.T, path string) caseVerdict {
	t.Helper()
	dt, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (make buildkit-cases generates it)", err)
	}
	var v caseVerdict
	sc := bufio.NewScanner(bytes.NewReader(dt))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "#error:"); ok {
			n, msg, _ := strings.Cut(rest, ": ")
			v.errorLine, _ = strconv.Atoi(n)
			v.errorMsg = msg
			// error=true turns findings into an error after the whole
			// file was checked: nothing is missing from the answer.
			v.stopped = !strings.HasPrefix(msg, "lint violation found for rules:")
			continue
		}
		if line != "" {
			v.pairs = append(v.pairs, line)
		}
	}
	slices.Sort(v.pairs)
	return v
}

// TestBuildKitOracleCases lints every case under testdata/buildkit with
// dockvet's default rules and the case's fake base, and requires dockvet's
// findings under BuildKit check ids to be exactly BuildKit's verdict in
// <case>.want (check and start line, with multiplicity). Where BuildKit
// stopped at a hard error, dockvet may report more at or after it (the
// superset SPEC allows). A case involving a check dockvet has no rule for
// yet is skipped.
// knownGaps reads testdata/buildkit/known-gaps.txt: the cases where dockvet
// deliberately differs from BuildKit, with the reason.
func knownGaps(t *testing.T) map[string]string {
	t.Helper()
	dt, err := os.ReadFile(filepath.Join("testdata", "buildkit", "known-gaps.txt"))
	if err != nil {
		t.Fatal(err)
	}
	gaps := map[string]string{}
	for line := range strings.Lines(string(dt)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, why, _ := strings.Cut(line, ":")
		gaps[name] = strings.TrimSpace(why)
	}
	return gaps
}

func TestBuildKitOracleCases(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("testdata", "buildkit", "*", "*.Dockerfile"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	gaps := knownGaps(t)
	for _, path := range cases {
		t.Run(caseName(path), func(t *testing.T) {
			if why, ok := gaps[caseName(path)]; ok {
				t.Skip("known gap: " + why)
			}
			problems, skip := buildkitCaseProblems(t, rules.All(), path)
			for _, p := range problems {
				t.Error(p)
			}
			if skip != "" {
				t.Skip(skip)
			}
		})
	}
}

// TestBuildKitOracleCasesCatchWrongVerdicts shows that the case test fails
// on a wrong port, with stand-ins for MaintainerDeprecated: one that
// reports every MAINTAINER but ignores `# check=` comments, and one that
// reports nothing.
func TestBuildKitOracleCasesCatchWrongVerdicts(t *testing.T) {
	everyMaintainer := &rule.Rule{ID: "MaintainerDeprecated", Name: "maintainer-deprecated", Severity: finding.SeverityWarning,
		Check: func(pass *rule.Pass) {
			for _, in := range pass.File.Instructions {
				if in.Keyword == "MAINTAINER" {
					pass.Reportf(in.KeywordRange, "MAINTAINER is deprecated")
				}
			}
		}}
	silent := &rule.Rule{ID: "MaintainerDeprecated", Name: "maintainer-deprecated", Severity: finding.SeverityWarning,
		Check: func(*rule.Pass) {}}
	dir := filepath.Join("testdata", "buildkit", "MaintainerDeprecated")
	for _, tc := range []struct {
		stub *rule.Rule
		file string
		want string // "" = the case passes, else a substring of its problem
	}{
		{everyMaintainer, "maintainer.Dockerfile", ""},
		{everyMaintainer, "label-instead.Dockerfile", ""},
		{everyMaintainer, "instruction-skip.Dockerfile", "extra (dockvet reports, BuildKit does not): [MaintainerDeprecated:3]"},
		{everyMaintainer, "file-skip-all.Dockerfile", "extra (dockvet reports, BuildKit does not): [MaintainerDeprecated:3]"},
		{silent, "maintainer.Dockerfile", "missing (BuildKit reports, dockvet does not): [MaintainerDeprecated:2]"},
		{silent, "instruction-skip.Dockerfile", ""},
	} {
		all := slices.DeleteFunc(rules.All(), func(r *rule.Rule) bool { return r.ID == tc.stub.ID })
		all = append(all, tc.stub)
		problems, skip := buildkitCaseProblems(t, all, filepath.Join(dir, tc.file))
		got := strings.Join(problems, "\n")
		switch {
		case skip != "":
			t.Errorf("%s: skipped (%s), want it checked", tc.file, skip)
		case tc.want == "" && got != "":
			t.Errorf("%s: want no problem, got %s", tc.file, got)
		case tc.want != "" && !strings.Contains(got, tc.want):
			t.Errorf("%s: want a problem containing %q, got %q", tc.file, tc.want, got)
		case tc.want != "" && !strings.Contains(got, "MaintainerDeprecated/"+strings.TrimSuffix(tc.file, ".Dockerfile")):
			t.Errorf("%s: the problem does not name the case: %s", tc.file, got)
		}
	}
}

func caseName(path string) string {
	return filepath.Base(filepath.Dir(path)) + "/" + strings.TrimSuffix(filepath.Base(path), ".Dockerfile")
}

// buildkitCaseProblems lints one case with the rules and compares with its
// .want; skip is set when a check the case involves has no rule among them
// (the DV000 problems are reported even then).
func buildkitCaseProblems(t *testing.T, all []*rule.Rule, path string) (problems []string, skip string) {
	t.Helper()
	name := caseName(path)
	check := filepath.Base(filepath.Dir(path))
	stem := strings.TrimSuffix(path, ".Dockerfile")
	want := readCaseVerdict(t, stem+".want")
	fs, f := lintCase(t, all, path, stem)

	// A case must be a well-formed Dockerfile unless BuildKit itself
	// rejected it.
	for _, f := range fs {
		if f.RuleID == "DV000" && !want.stopped {
			problems = append(problems, fmt.Sprintf("%s: DV000 at line %d: %s", name, f.Range.Start.Line, f.Message))
		}
	}

	have := map[string]bool{}
	for _, r := range all {
		have[r.ID] = true
	}
	involved := []string{check}
	for _, p := range want.pairs {
		c, _, _ := strings.Cut(p, ":")
		involved = append(involved, c)
	}
	var absent []string
	for _, c := range involved {
		if !have[c] && !slices.Contains(absent, c) {
			absent = append(absent, c)
		}
	}
	if len(absent) > 0 {
		return problems, "no dockvet rule yet for " + strings.Join(absent, ", ")
	}

	got := buildkitPairs(fs, want.pairs, buildkitLine(f))
	missing, extra := diffPairs(want.pairs, got)
	if want.stopped {
		extra = slices.DeleteFunc(extra, func(p string) bool {
			_, n, _ := strings.Cut(p, ":")
			line, _ := strconv.Atoi(n)
			return line >= want.errorLine
		})
	}
	if len(missing) > 0 || len(extra) > 0 {
		msg := fmt.Sprintf("%s: BuildKit %v, dockvet %v", name, want.pairs, got)
		if len(missing) > 0 {
			msg += fmt.Sprintf("\n  missing (BuildKit reports, dockvet does not): %v", missing)
		}
		if len(extra) > 0 {
			msg += fmt.Sprintf("\n  extra (dockvet reports, BuildKit does not): %v", extra)
		}
		if want.errorMsg != "" {
			msg += fmt.Sprintf("\n  BuildKit's error at line %d: %s", want.errorLine, want.errorMsg)
		}
		problems = append(problems, msg)
	}
	return problems, ""
}

// lintCase lints one case with every default rule, the case's fake base
// and, when it has a <case>.dockerignore, a build context holding the case
// as Dockerfile and that file as .dockerignore (BuildKit's test layout).
func lintCase(t *testing.T, all []*rule.Rule, path, stem string) ([]finding.Finding, *dockerfile.File) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	base := caseBase{Env: []string{defaultCaseEnv}}
	if dt, err := os.ReadFile(stem + ".base.json"); err == nil {
		base = caseBase{}
		dec := json.NewDecoder(bytes.NewReader(dt))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&base); err != nil {
			t.Fatalf("%s.base.json: %v", stem, err)
		}
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}
	lintPath, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	if ignore, err := os.ReadFile(stem + ".dockerignore"); err == nil {
		dir := t.TempDir()
		lintPath = filepath.Join(dir, "Dockerfile")
		if err := os.WriteFile(lintPath, src, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), ignore, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}
	eng, err := engine.New(all, engine.Settings{Bases: base, Context: &engine.ContextSettings{}})
	if err != nil {
		t.Fatal(err)
	}
	fs, f, err := eng.LintFile(engine.Input{Name: filepath.Base(path), Src: src, Path: lintPath},
		dockerfile.Options{Platform: "linux/amd64"})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return fs, f
}

// buildkitLine is bkcheck.ReportedLine for one parsed file.
func buildkitLine(f *dockerfile.File) func(check string, line int) int {
	return func(check string, line int) int { return bkcheck.ReportedLine(f, check, line) }
}

// buildkitPairs returns dockvet's findings under BuildKit check ids as
// sorted "Check:line" pairs; a finding of a rule in reportedInsteadOf counts
// for its check where BuildKit's verdict has that check on the line.
func buildkitPairs(fs []finding.Finding, want []string, lineOf func(check string, line int) int) []string {
	var got []string
	stand := map[string]int{} // "Check:line" the verdict has, by count
	for _, p := range want {
		stand[p]++
	}
	for _, f := range fs {
		p := fmt.Sprintf("%s:%d", f.RuleID, lineOf(f.RuleID, f.Range.Start.Line))
		if slices.Contains(buildkitChecks, f.RuleID) {
			got = append(got, p)
			stand[p]--
		}
	}
	for _, f := range fs {
		for check, ids := range reportedInsteadOf {
			p := fmt.Sprintf("%s:%d", check, lineOf(check, f.Range.Start.Line))
			if slices.Contains(ids, f.RuleID) && stand[p] > 0 {
				got = append(got, p)
				stand[p]--
			}
		}
	}
	slices.Sort(got)
	return got
}

// diffPairs compares two sorted multisets.
func diffPairs(want, got []string) (missing, extra []string) {
	count := map[string]int{}
	for _, p := range want {
		count[p]++
	}
	for _, p := range got {
		count[p]--
	}
	for _, p := range want {
		if count[p] > 0 {
			missing = append(missing, p)
			count[p]--
		}
	}
	for p, n := range count {
		for ; n < 0; n++ {
			extra = append(extra, p)
		}
	}
	slices.Sort(extra)
	return missing, extra
}

// TestBuildKitPairs pins how dockvet's findings become BuildKit pairs: a
// DV300/DV301 finding stands for JSONArgsRecommended only where BuildKit's
// verdict has it, and never twice.
func TestBuildKitPairs(t *testing.T) {
	at := func(id string, line int) finding.Finding {
		return finding.Finding{RuleID: id, Range: source.LineRange(line, "X")}
	}
	for _, tc := range []struct {
		name string
		fs   []finding.Finding
		want []string
		got  []string
	}{
		{"own id", []finding.Finding{at("JSONArgsRecommended", 2)}, []string{"JSONArgsRecommended:2"}, []string{"JSONArgsRecommended:2"}},
		{"DV300 stands in", []finding.Finding{at("DV300", 2)}, []string{"JSONArgsRecommended:2"}, []string{"JSONArgsRecommended:2"}},
		{"DV301 stands in", []finding.Finding{at("DV301", 3)}, []string{"JSONArgsRecommended:3"}, []string{"JSONArgsRecommended:3"}},
		{"DV300 elsewhere is dockvet's own", []finding.Finding{at("DV300", 5)}, []string{"JSONArgsRecommended:2"}, nil},
		{"not counted twice", []finding.Finding{at("JSONArgsRecommended", 2), at("DV300", 2)}, []string{"JSONArgsRecommended:2"}, []string{"JSONArgsRecommended:2"}},
		{"other rules ignored", []finding.Finding{at("DV100", 2), at("MaintainerDeprecated", 4)}, nil, []string{"MaintainerDeprecated:4"}},
		{"multiplicity kept", []finding.Finding{at("ExposeProtoCasing", 2), at("ExposeProtoCasing", 2)}, nil, []string{"ExposeProtoCasing:2", "ExposeProtoCasing:2"}},
	} {
		if got := buildkitPairs(tc.fs, tc.want, func(_ string, line int) int { return line }); !slices.Equal(got, tc.got) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.got)
		}
	}
}

func TestDiffPairs(t *testing.T) {
	for _, tc := range []struct {
		want, got, missing, extra []string
	}{
		{[]string{"A:1", "A:1", "B:2"}, []string{"A:1", "C:3"}, []string{"A:1", "B:2"}, []string{"C:3"}},
		{[]string{"A:1"}, []string{"A:1"}, nil, nil},
		{nil, []string{"A:1", "A:1"}, nil, []string{"A:1", "A:1"}},
	} {
		missing, extra := diffPairs(tc.want, tc.got)
		if !slices.Equal(missing, tc.missing) || !slices.Equal(extra, tc.extra) {
			t.Errorf("diffPairs(%v, %v) = %v, %v; want %v, %v", tc.want, tc.got, missing, extra, tc.missing, tc.extra)
		}
	}
}

// hadolint pragmas that map to BuildKit's checks suppress them (SPEC
// mapping: DL3024 DuplicateStageName, DL4000 MaintainerDeprecated, DL3000
// WorkdirRelativePath, DL3029 FromPlatformFlagConstDisallowed, DL4003
// MultipleInstructionsDisallowed, DL3025 JSONArgsRecommended).
func TestHadolintPragmasSuppressBuildKitChecks(t *testing.T) {
	eng, err := engine.New(rules.All(), engine.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		check, src string
	}{
		{"DuplicateStageName", "FROM scratch AS a\n# hadolint ignore=DL3024\nFROM scratch AS a\n"},
		{"MaintainerDeprecated", "FROM scratch\n# hadolint ignore=DL4000\nMAINTAINER me\n"},
		{"WorkdirRelativePath", "FROM scratch\n# hadolint ignore=DL3000\nWORKDIR app\n"},
		{"FromPlatformFlagConstDisallowed", "# hadolint ignore=DL3029\nFROM --platform=linux/amd64 scratch\n"},
		{"MultipleInstructionsDisallowed", "FROM scratch\n# hadolint ignore=DL4003\nCMD [\"a\"]\nCMD [\"b\"]\n"},
		{"JSONArgsRecommended", "FROM scratch AS build\n# hadolint ignore=DL3025\nCMD run\nFROM scratch\n"},
	}
	for _, tt := range tests {
		count := func(src string) int {
			fs, _, err := eng.LintFile(engine.Input{Name: "Dockerfile", Src: []byte(src)}, dockerfile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, f := range fs {
				if f.RuleID == tt.check {
					n++
				}
			}
			return n
		}
		without := strings.ReplaceAll(tt.src, "hadolint", "nothing")
		if n := count(without); n != 1 {
			t.Errorf("%s: %d findings without the pragma, want 1", tt.check, n)
		}
		if n := count(tt.src); n != 0 {
			t.Errorf("%s: %d findings with the pragma, want 0", tt.check, n)
		}
	}
}

// Package hadolint holds what dockvet knows of hadolint, so that a repository
// linted with hadolint can switch without edits: which dockvet rules each
// hadolint code corresponds to (the one table; pragmas, .hadolint.yaml,
// `dockvet config migrate` and `dockvet explain` all read it), and which
// BuildKit check a dockvet rule stands in for.
//
// Targets are rule ids as data: some name rules that do not exist yet.
// Callers decide with their own rule
// registry whether a target exists; a code none of whose targets exist is
// treated like a code with no equivalent.
package hadolint

import (
	"slices"
	"strings"
)

// Mapping is one hadolint code and the dockvet rules that report what it
// reports.
type Mapping struct {
	Code    string
	Targets []string
}

// mappings is the table of the spec ("Migrating from hadolint"), in code
// order.
var mappings = []Mapping{
	{"DL3000", []string{"WorkdirRelativePath"}},
	{"DL3002", []string{"DV302"}},
	{"DL3006", []string{"DV201"}},
	{"DL3007", []string{"DV200"}},
	{"DL3009", []string{"DV400", "DV401"}},
	{"DL3012", []string{"MultipleInstructionsDisallowed"}},
	{"DL3015", []string{"DV406"}},
	{"DL3019", []string{"DV403"}},
	{"DL3020", []string{"DV409"}},
	{"DL3024", []string{"DuplicateStageName"}},
	{"DL3025", []string{"DV300", "DV301", "JSONArgsRecommended"}},
	{"DL3026", []string{"DV204"}},
	{"DL3029", []string{"FromPlatformFlagConstDisallowed"}},
	{"DL3032", []string{"DV403"}},
	{"DL3036", []string{"DV403"}},
	{"DL3040", []string{"DV403"}},
	{"DL3042", []string{"DV403"}},
	{"DL3046", []string{"DV407"}},
	{"DL3060", []string{"DV403"}},
	{"DL4000", []string{"MaintainerDeprecated"}},
	{"DL4003", []string{"MultipleInstructionsDisallowed"}},
	{"DL4004", []string{"MultipleInstructionsDisallowed"}},
	{"DL4006", []string{"DV405"}},
}

// BuildKitEquivalent names the `docker build --check` check a dockvet rule
// reports in its place (SPEC: where DV300/DV301 report an instruction,
// JSONArgsRecommended is not reported again), "" for the others.
func BuildKitEquivalent(ruleID string) string {
	switch ruleID {
	case "DV202":
		return "UndefinedArgInFrom and InvalidDefaultArgInFrom (on FROM lines)"
	case "DV300", "DV301":
		return "JSONArgsRecommended"
	}
	return ""
}

// Mappings returns the whole table, in code order.
func Mappings() []Mapping {
	out := make([]Mapping, len(mappings))
	for i, m := range mappings {
		out[i] = Mapping{Code: m.Code, Targets: slices.Clone(m.Targets)}
	}
	return out
}

// Targets returns the dockvet rule ids a hadolint code maps to, nil for a
// code with no equivalent. Codes are matched case-insensitively, as hadolint
// does not care either in practice (users write dl3007 too).
func Targets(code string) []string {
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, m := range mappings {
		if m.Code == code {
			return slices.Clone(m.Targets)
		}
	}
	return nil
}

// ExistingTargets is Targets restricted to the rules exists accepts.
func ExistingTargets(code string, exists func(string) bool) []string {
	var out []string
	for _, t := range Targets(code) {
		if exists(t) {
			out = append(out, t)
		}
	}
	return out
}

// CodesFor returns the hadolint codes that map to a dockvet rule id, in code
// order.
func CodesFor(ruleID string) []string {
	var out []string
	for _, m := range mappings {
		if slices.Contains(m.Targets, ruleID) {
			out = append(out, m.Code)
		}
	}
	return out
}

// Equivalents is the one-line summary `dockvet explain` prints for a rule:
// "hadolint: DL3007; BuildKit: —".
func Equivalents(ruleID string) string {
	h, b := strings.Join(CodesFor(ruleID), ", "), BuildKitEquivalent(ruleID)
	if h == "" {
		h = "—"
	}
	if b == "" {
		b = "—"
	}
	return "hadolint: " + h + "; BuildKit: " + b
}

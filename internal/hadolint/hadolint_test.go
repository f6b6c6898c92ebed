package hadolint

import (
	"regexp"
	"slices"
	"testing"
)

// The spec's table, written out once more by hand: the data must say exactly
// this.
func TestTargetsMatchSpec(t *testing.T) {
	tests := []struct {
		code string
		want []string
	}{
		{"DL3006", []string{"DV201"}},
		{"DL3007", []string{"DV200"}},
		{"dl3007", []string{"DV200"}},
		{"DL3002", []string{"DV302"}},
		{"DL3025", []string{"DV300", "DV301", "JSONArgsRecommended"}},
		{"DL3009", []string{"DV400", "DV401"}},
		{"DL3019", []string{"DV403"}},
		{"DL3042", []string{"DV403"}},
		{"DL3060", []string{"DV403"}},
		{"DL3032", []string{"DV403"}},
		{"DL3036", []string{"DV403"}},
		{"DL3040", []string{"DV403"}},
		{"DL3015", []string{"DV406"}},
		{"DL3046", []string{"DV407"}},
		{"DL3020", []string{"DV409"}},
		{"DL4006", []string{"DV405"}},
		{"DL3026", []string{"DV204"}},
		{"DL3024", []string{"DuplicateStageName"}},
		{"DL4003", []string{"MultipleInstructionsDisallowed"}},
		{"DL4004", []string{"MultipleInstructionsDisallowed"}},
		{"DL3012", []string{"MultipleInstructionsDisallowed"}},
		{"DL3000", []string{"WorkdirRelativePath"}},
		{"DL4000", []string{"MaintainerDeprecated"}},
		{"DL3029", []string{"FromPlatformFlagConstDisallowed"}},
		{"DL3008", nil}, // pinned apt versions: no equivalent
		{"SC2086", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Targets(tt.code); !slices.Equal(got, tt.want) {
			t.Errorf("Targets(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
	if n := len(Mappings()); n != len(tests)-4 {
		t.Errorf("table has %d codes, the spec %d", n, len(tests)-4)
	}
}

func TestTableIsWellFormed(t *testing.T) {
	code := regexp.MustCompile(`^DL[34][0-9]{3}$`)
	seen := map[string]bool{}
	prev := ""
	for _, m := range Mappings() {
		if !code.MatchString(m.Code) || seen[m.Code] || m.Code < prev || len(m.Targets) == 0 {
			t.Errorf("bad or unordered entry %v", m)
		}
		seen[m.Code], prev = true, m.Code
	}
}

func TestEquivalents(t *testing.T) {
	tests := map[string]string{
		"DV200": "hadolint: DL3007; BuildKit: —",
		"DV403": "hadolint: DL3019, DL3032, DL3036, DL3040, DL3042, DL3060; BuildKit: —",
		"DV300": "hadolint: DL3025; BuildKit: JSONArgsRecommended",
		"DV100": "hadolint: —; BuildKit: —",
	}
	for id, want := range tests {
		if got := Equivalents(id); got != want {
			t.Errorf("Equivalents(%s) = %q, want %q", id, got, want)
		}
	}
}

func TestExistingTargets(t *testing.T) {
	exists := func(id string) bool { return id == "DV300" }
	if got := ExistingTargets("DL3025", exists); !slices.Equal(got, []string{"DV300"}) {
		t.Errorf("got %v", got)
	}
	if got := ExistingTargets("DL3026", exists); got != nil {
		t.Errorf("got %v", got)
	}
}

package secrets

import "testing"

// TestAlphabets spells each constant alphabet out as the ranges and bytes
// it stands for: a wrong bit in the constants fails here.
func TestAlphabets(t *testing.T) {
	spelled := func(ranges ...string) map[byte]bool {
		m := map[byte]bool{}
		for _, r := range ranges {
			if len(r) == 3 && r[1] == '-' {
				for c := int(r[0]); c <= int(r[2]); c++ {
					m[byte(c)] = true
				}
				continue
			}
			m[r[0]] = true
		}
		return m
	}
	for _, tc := range []struct {
		name string
		a    alphabet
		want map[byte]bool
	}{
		{"upperBase32", upperBase32, spelled("A-Z", "2-7")},
		{"alnum", alnum, spelled("A-Z", "a-z", "0-9")},
		{"alnumUnder", alnumUnder, spelled("A-Z", "a-z", "0-9", "_")},
		{"urlSafe", urlSafe, spelled("A-Z", "a-z", "0-9", "_", "-")},
		{"urlSafeDot", urlSafeDot, spelled("A-Z", "a-z", "0-9", "_", "-", ".")},
		{"alnumDash", alnumDash, spelled("A-Z", "a-z", "0-9", "-")},
		{"lowerHex", lowerHex, spelled("0-9", "a-f")},
		{"wordBoundary", wordBoundary, spelled("A-Z", "a-z", "0-9", "_")},
	} {
		for c := range 256 {
			if got := tc.a.has(byte(c)); got != tc.want[byte(c)] {
				t.Errorf("%s.has(%q) = %v, want %v", tc.name, rune(c), got, !got)
			}
		}
	}
}

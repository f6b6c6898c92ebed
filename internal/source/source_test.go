package source

import "testing"

func TestContainsFoldASCII(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"# check=skip=all", true},
		{"# CHECK=skip=all", true},
		{"# syntax=docker/dockerfile:1 ChEcK", true},
		{"# chec", false},
		{"", false},
		{"# chec\u212a=x", false}, // the Kelvin sign is not an ASCII k
	} {
		if got := ContainsFoldASCII(tc.s, "check"); got != tc.want {
			t.Errorf("ContainsFoldASCII(%q) = %v, want %v", tc.s, got, tc.want)
		}
		if got := ContainsFoldASCII([]byte(tc.s), "check"); got != tc.want {
			t.Errorf("ContainsFoldASCII([]byte(%q)) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

package image

import "testing"

func TestRootUsers(t *testing.T) {
	for _, tt := range []struct {
		user       string
		runsAsRoot bool // as a config user ("" is root)
		isRoot     bool // as a USER value
	}{
		{"", true, false},
		{"root", true, true},
		{"0", true, true},
		{"00", true, true},
		{" 0 ", true, true},
		{"0:0", true, true},
		{"root:staff", true, true},
		{":0", true, false},
		{"65532", false, false},
		{"1000:0", false, false},
		{"app", false, false},
		{"10", false, false},
		{"rootless", false, false},
	} {
		if got := RunsAsRoot(tt.user); got != tt.runsAsRoot {
			t.Errorf("RunsAsRoot(%q) = %v", tt.user, got)
		}
		if got := IsRootUser(tt.user); got != tt.isRoot {
			t.Errorf("IsRootUser(%q) = %v", tt.user, got)
		}
	}
}

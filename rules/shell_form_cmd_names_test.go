package rules

import (
	"regexp"
	"testing"
)

// TestBaseNameMatchers: the string checks that replaced start-up regexps
// agree with them on names that match and names that nearly do.
func TestBaseNameMatchers(t *testing.T) {
	centos := regexp.MustCompile(`-c[0-9]+s$`)
	ubi := regexp.MustCompile(`^ubi[0-9]*(-|$)`)
	for _, n := range []string{"python-312-c9s", "s2i-base-c10s", "x-cs", "x-c9", "x-c9ss", "c9s", "x-c9s-c", "-c1s", "ubi", "ubi9", "ubi10-minimal", "ubi-init", "ubi9x", "ubuntu", "subi9", "ubi9-", ""} {
		if got, want := isCentOSStreamName(n), centos.MatchString(n); got != want {
			t.Errorf("isCentOSStreamName(%q) = %v, want %v", n, got, want)
		}
		if got, want := isUBIName(n), ubi.MatchString(n); got != want {
			t.Errorf("isUBIName(%q) = %v, want %v", n, got, want)
		}
	}
}

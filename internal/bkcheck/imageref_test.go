package bkcheck

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/distribution/reference"
)

// TestValidImageRefMatchesDistribution compares validImageRef with
// reference.ParseNormalizedNamed, which BuildKit calls, on hand-picked
// references and on many built from pieces that hit every branch of the
// grammar (a bounded count, with a fixed seed).
func TestValidImageRefMatchesDistribution(t *testing.T) {
	hex64 := strings.Repeat("ab12", 16)
	cases := []string{
		"", "ubuntu", "ubuntu:22.04", "Ubuntu", "library/ubuntu", "docker.io/ubuntu", "index.docker.io/x/y",
		"localhost/x", "localhost:5000/x:1", "Localhost/x", "MyReg/x", "reg.io:/x", "reg.io:5000/x", "reg.io:50a0/x",
		"[::1]/x", "[::1]:5000/x:tag", "[::1]:/x", "[]/x", "[::g]/x", "[::1]x/x", "a..b/x", "-a.io/x", "a-.io/x",
		"a/b__c", "a/b___c", "a/b--c", "a/b-.c", "a/b._c", "a/.b", "a/b.", "x:" + strings.Repeat("t", 128), "x:" + strings.Repeat("t", 129),
		"x:.t", "x:_t", "x:t@sha256:" + hex64 + hex64[:0], "x@sha256:" + hex64, "x@sha256:" + strings.ToUpper(hex64),
		"x@sha256:" + hex64[:40], "x@sha512:" + hex64, "x@foo:" + hex64, "x@foo+bar:" + hex64, "x@Sha256:" + hex64, "x@:" + hex64,
		"x@@sha256:" + hex64, hex64, "a/" + hex64, strings.Repeat("a/", 130) + "a", "a:b/c", "a/b:c/d", "$X", "a b",
		"docker.io/library/" + strings.Repeat("a", 240),
	}
	pieces := []string{"a", "b0", "Z", ".", "_", "__", "-", "/", ":", "@", "[", "]", "::1", "5000", "localhost", "docker.io",
		"index.docker.io", "library", "reg.io", "sha256:", "sha512:", hex64, "Ab", "tag-1.0", "x", "$", " "}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50000 {
		var b strings.Builder
		for range 1 + rng.IntN(7) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		cases = append(cases, b.String())
	}
	mismatches := 0
	for _, s := range cases {
		_, err := reference.ParseNormalizedNamed(s)
		if want := err == nil; validImageRef(s) != want {
			if mismatches++; mismatches <= 20 {
				t.Errorf("validImageRef(%q) = %v, ParseNormalizedNamed: %v", s, !want, err)
			}
		}
	}
	if mismatches > 20 {
		t.Errorf("%d mismatches in all", mismatches)
	}
}

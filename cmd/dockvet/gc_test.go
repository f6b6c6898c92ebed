package main

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC: without GOGC the lint run collects less often; a GOGC the
// user set (already applied by the runtime) is left alone.
func TestTuneGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	for _, tc := range []struct {
		name string
		gogc string
		want int
	}{
		{"unset", "", lintGCPercent},
		{"set by the user", "100", 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			tuneGC(func(k string) string {
				if k == "GOGC" {
					return tc.gogc
				}
				return ""
			})
			if got := debug.SetGCPercent(100); got != tc.want {
				t.Errorf("GC percent %d, want %d", got, tc.want)
			}
		})
	}
}

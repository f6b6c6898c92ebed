package main

import "testing"

// TestTuneGC: without GOGC the collector gets its fixed floor; a GOGC the
// user set (already applied by the runtime) is left alone.
func TestTuneGC(t *testing.T) {
	defer func() { gcBallast = nil }()
	for _, tc := range []struct {
		name string
		gogc string
		want int
	}{
		{"unset", "", gcFloor},
		{"set by the user", "100", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gcBallast = nil
			tuneGC(func(k string) string {
				if k == "GOGC" {
					return tc.gogc
				}
				return ""
			})
			if len(gcBallast) != tc.want {
				t.Errorf("ballast %d bytes, want %d", len(gcBallast), tc.want)
			}
		})
	}
}

package main

import "testing"

// TestGCFloor: the floor is set for a run of many files when the user set
// no GOGC; never for a small run (a cold start would pay for a collection)
// nor when GOGC is set (already applied by the runtime).
func TestGCFloor(t *testing.T) {
	defer func() { gcFloorWanted, gcBallast = false, nil }()
	for _, tc := range []struct {
		name  string
		gogc  string
		files int
		want  int
	}{
		{"many files", "", gcFloorFiles, gcFloor},
		{"one file", "", 1, 0},
		{"GOGC set by the user", "100", 10 * gcFloorFiles, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gcFloorWanted, gcBallast = false, nil
			tuneGC(func(k string) string {
				if k == "GOGC" {
					return tc.gogc
				}
				return ""
			})
			raiseGCFloor(tc.files)
			if len(gcBallast) != tc.want {
				t.Errorf("ballast %d bytes, want %d", len(gcBallast), tc.want)
			}
		})
	}
}

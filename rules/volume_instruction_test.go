package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestVolumeInstruction(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts dockerfile.Options
		want []string // positions
	}{
		{"json form, one finding per path", "FROM alpine:3\nVOLUME [\"/data\", \"/logs\"]\n", dockerfile.Options{}, []string{"2:9-2:16", "2:18-2:25"}},
		{"plain form", "FROM alpine:3\nvolume /data /logs\n", dockerfile.Options{}, []string{"2:8-2:13", "2:14-2:19"}},
		{"inherited through FROM stage", "FROM alpine:3 AS base\nVOLUME /data\nFROM base\nCMD [\"x\"]\n", dockerfile.Options{}, []string{"2:8-2:13"}},
		{"builder stage only", "FROM alpine:3 AS build\nVOLUME /data\nFROM alpine:3\nCOPY --from=build /x /x\n", dockerfile.Options{}, nil},
		{"target selects builder", "FROM alpine:3 AS build\nVOLUME /data\nFROM alpine:3\n", dockerfile.Options{Target: "build"}, []string{"2:8-2:13"}},
		{"malformed JSON left to DV103", "FROM alpine:3\nVOLUME [/a, /b]\n", dockerfile.Options{}, nil},
		{"no volume", "FROM alpine:3\nRUN true\n", dockerfile.Options{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ruletest.Positions(ruletest.Run(t, VolumeInstruction, tt.src, tt.opts))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

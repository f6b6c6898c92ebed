package main

import (
	"slices"
	"testing"

	"github.com/spf13/pflag"
)

// TestStringsFlagIsStringArray: stringsFlag parses and describes itself as
// pflag's StringArray does, default included.
func TestStringsFlagIsStringArray(t *testing.T) {
	tests := []struct {
		name string
		def  []string
		args []string
	}{
		{"unset", nil, nil},
		{"repeated, commas kept", nil, []string{"--x", "DV100,DV101", "--x=DV200", "--x", ""}},
		{"the first use replaces the default", []string{"a"}, []string{"--x", "b", "--x", "c"}},
		{"default kept when unset", []string{"a", "b"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, theirs := slices.Clone(tt.def), slices.Clone(tt.def)
			fo := pflag.NewFlagSet("ours", pflag.ContinueOnError)
			fo.Var(newStringsFlag(&ours), "x", "usage")
			ft := pflag.NewFlagSet("theirs", pflag.ContinueOnError)
			ft.StringArrayVar(&theirs, "x", slices.Clone(tt.def), "usage")
			if err := fo.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if err := ft.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ours, theirs) {
				t.Errorf("values %q, pflag's StringArray %q", ours, theirs)
			}
			if len(tt.def) == 0 && fo.FlagUsages() != ft.FlagUsages() {
				t.Errorf("usage %q, pflag's StringArray %q", fo.FlagUsages(), ft.FlagUsages())
			}
		})
	}
}

package dockerfile

import (
	"slices"
	"testing"
)

func TestFinalCommand(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		target   string
		declared bool
		argv     []string
	}{
		{"none declared", "FROM ubuntu\nRUN true\n", "", false, nil},
		{"exec CMD", "FROM ubuntu\nCMD [\"/bin/bash\"]\n", "", true, []string{"/bin/bash"}},
		{"shell CMD, exec unwrapped", "FROM ubuntu\nCMD exec gunicorn app:app --bind :$PORT\n", "", true, []string{"gunicorn", "app:app", "--bind"}},
		{"ENTRYPOINT and CMD joined", "FROM ubuntu\nENTRYPOINT [\"tini\", \"--\"]\nCMD [\"make\", \"test\"]\n", "", true, []string{"tini", "--", "make", "test"}},
		{"CMD before ENTRYPOINT in the same stage kept", "FROM ubuntu\nCMD [\"-v\"]\nENTRYPOINT [\"app\"]\n", "", true, []string{"app", "-v"}},
		{"ENTRYPOINT resets a parent stage's CMD", "FROM ubuntu AS base\nCMD [\"bash\"]\nFROM base\nENTRYPOINT [\"app\"]\n", "", true, []string{"app"}},
		{"shell-form ENTRYPOINT ignores CMD", "FROM ubuntu\nENTRYPOINT app serve\nCMD [\"-v\"]\n", "", true, []string{"app", "serve"}},
		{"inherited from a parent stage", "FROM ubuntu AS base\nCMD [\"bash\"]\nFROM base\nRUN true\n", "", true, []string{"bash"}},
		{"a stage outside the final chain does not count", "FROM ubuntu AS build\nCMD [\"make\"]\nFROM alpine\nRUN true\n", "", false, nil},
		{"target stage", "FROM ubuntu AS dev\nCMD [\"bash\"]\nFROM ubuntu\nCMD [\"app\"]\n", "dev", true, []string{"bash"}},
		{"program through a variable", "FROM ubuntu\nCMD $APP serve\n", "", true, nil},
		{"arguments after a variable dropped", "FROM ubuntu\nCMD app $FLAGS serve\n", "", true, []string{"app"}},
		{"empty exec form", "FROM ubuntu\nCMD []\n", "", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("Dockerfile", []byte(tt.src), Options{Target: tt.target})
			if err != nil {
				t.Fatal(err)
			}
			fc := f.FinalCommand()
			if fc.Declared() != tt.declared {
				t.Errorf("Declared() = %v, want %v", fc.Declared(), tt.declared)
			}
			if got := fc.Argv(); !slices.Equal(got, tt.argv) {
				t.Errorf("Argv() = %q, want %q", got, tt.argv)
			}
		})
	}
}

package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestShellMissingCommandFlag(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // positions
		msg  string   // part of the first message
		fix  string   // the fix's new text, "" for none
	}{
		{"bash alone", "FROM ubuntu:24.04\nSHELL [\"/bin/bash\"]\nRUN make\n",
			[]string{"2:7-2:20"}, `SHELL ["/bin/bash"] has no command flag (bash reads its first argument as a script file name), so every later RUN and shell-form CMD and ENTRYPOINT of the stage (and of the stages built FROM it) runs the wrong thing; end the list with -c`, `["/bin/bash", "-c"]`},
		{"options without -c", "FROM ubuntu:24.04\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\"]\n",
			[]string{"2:7-2:38"}, `SHELL ["/bin/bash", "-o", "pipefail"] has no command flag`, `["/bin/bash", "-o", "pipefail", "-c"]`},
		{"login shell without -c", "FROM ubuntu:24.04\nSHELL [\"bash\", \"-l\"]\n",
			[]string{"2:7-2:21"}, "has no command flag", `["bash", "-l", "-c"]`},
		{"ends with -o", "FROM ubuntu:24.04\nSHELL [\"/bin/bash\", \"-c\", \"-o\"]\n",
			[]string{"2:7-2:32"}, "ends with -o, which takes the command as its value", ""},
		{"operand after -c", "FROM ubuntu:24.04\nSHELL [\"/bin/bash\", \"-c\", \"set -e\"]\n",
			[]string{"2:7-2:36"}, `ends with the operand "set -e" after -c: bash runs it as the script`, ""},
		{"operand instead of -c", "FROM ubuntu:24.04\nSHELL [\"/bin/sh\", \"-e\", \"/setup.sh\"]\n",
			[]string{"2:7-2:37"}, `passes "/setup.sh" where the -c flag should be`, ""},
		{"busybox sh", "FROM busybox:1.36\nSHELL [\"/bin/busybox\", \"sh\"]\n",
			[]string{"2:7-2:29"}, "sh reads its first argument", `["/bin/busybox", "sh", "-c"]`},
		{"env bash", "FROM ubuntu:24.04\nSHELL [\"/usr/bin/env\", \"bash\"]\n",
			[]string{"2:7-2:31"}, "has no command flag", `["/usr/bin/env", "bash", "-c"]`},
		{"cmd without /C", "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nSHELL [\"cmd\", \"/S\"]\n",
			[]string{"2:7-2:20"}, "cmd without /C starts an interactive prompt", `["cmd", "/S", "/C"]`},
		{"pwsh without -Command", "FROM mcr.microsoft.com/powershell:7.4-ubuntu-22.04\nSHELL [\"pwsh\", \"-NoProfile\"]\n",
			[]string{"2:7-2:29"}, "pwsh reads its first argument as a script file path", `["pwsh", "-NoProfile", "-Command"]`},
		{"builder stage too", "FROM ubuntu:24.04 AS build\nSHELL [\"/bin/bash\"]\nFROM alpine:3\n",
			[]string{"2:7-2:20"}, "has no command flag", `["/bin/bash", "-c"]`},

		{"bash -c", "FROM ubuntu:24.04\nSHELL [\"/bin/bash\", \"-c\"]\n", nil, "", ""},
		{"pipefail then -c", "FROM ubuntu:24.04\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n", nil, "", ""},
		{"option cluster with a value", "FROM ubuntu:24.04\nSHELL [\"/bin/bash\", \"-euo\", \"pipefail\", \"-c\"]\n", nil, "", ""},
		{"clustered -c", "FROM ubuntu:24.04\nSHELL [\"/bin/bash\", \"-lc\"]\n", nil, "", ""},
		{"options after -c", "FROM ubuntu:24.04\nSHELL [\"/bin/bash\", \"-c\", \"-e\"]\n", nil, "", ""},
		{"end of options after -c", "FROM ubuntu:24.04\nSHELL [\"/bin/sh\", \"-c\", \"--\"]\n", nil, "", ""},
		{"cmd /S /C", "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nSHELL [\"cmd\", \"/S\", \"/C\"]\n", nil, "", ""},
		{"powershell with a command prefix", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\", \"$ErrorActionPreference = 'Stop';\"]\n", nil, "", ""},
		{"windows powershell reads a command without -Command", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-NoProfile\"]\n", nil, "", ""},
		{"cmd wrapper after /C", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"cmd.exe\", \"/s\", \"/c\", \"C:\\\\entrypoint.bat\"]\n", nil, "", ""},
		{"bash wrapper script runs the command", "FROM ubuntu:24.04\nSHELL [\"/bin/bash\", \"-c\", \"source /env.sh && exec \\\"$0\\\" \\\"$@\\\"\"]\n", nil, "", ""},
		{"pwsh -c", "FROM mcr.microsoft.com/powershell:7.4-ubuntu-22.04\nSHELL [\"pwsh\", \"-c\"]\n", nil, "", ""},
		{"unknown program", "FROM python:3.12\nSHELL [\"python3\"]\n", nil, "", ""},
		{"not json: a syntax error, DV000", "FROM ubuntu:24.04\nSHELL /bin/bash\n", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, ShellMissingCommandFlag, tt.src, dockerfile.Options{})
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v (%q)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
			if len(ds) == 0 {
				return
			}
			switch fix := ds[0].Fix; {
			case tt.fix == "" && fix != nil:
				t.Errorf("unexpected fix %+v", fix)
			case tt.fix != "" && (fix == nil || len(fix.Edits) != 1 || fix.Edits[0].NewText != tt.fix):
				t.Errorf("fix %+v, want %q", fix, tt.fix)
			}
		})
	}
}

// TestShellMissingCommandFlagExamples: the documented Bad example is reported and the Good
// one is not.
func TestShellMissingCommandFlagExamples(t *testing.T) {
	if ds := ruletest.Run(t, ShellMissingCommandFlag, ShellMissingCommandFlag.Bad, dockerfile.Options{}); len(ds) == 0 {
		t.Errorf("Bad example not reported:\n%s", ShellMissingCommandFlag.Bad)
	}
	if ds := ruletest.Run(t, ShellMissingCommandFlag, ShellMissingCommandFlag.Good, dockerfile.Options{}); len(ds) > 0 {
		t.Errorf("Good example reported: %q", ruletest.Lines(ds))
	}
}

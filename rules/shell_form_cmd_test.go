package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestShellFormCmd(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts dockerfile.Options
		want []string // positions
		fix  string   // the fix's new text, "" for none
		msg  string   // a substring of the (first) message
	}{
		{"simple command, with fix", "FROM node:22\nCMD npm start\n", dockerfile.Options{}, []string{"2:5-2:14"}, `["npm", "start"]`, "does not forward SIGTERM"},
		{"lower-case keyword", "FROM node:22\ncmd npm start\n", dockerfile.Options{}, []string{"2:5-2:14"}, `["npm", "start"]`, "use the exec form CMD [\"npm\", \"start\"]"},
		{"quoted words keep their spaces", "FROM alpine:3\nCMD echo \"hello world\" 'a b'\n", dockerfile.Options{}, []string{"2:5-2:29"}, `["echo", "hello world", "a b"]`, "use the exec form CMD [\"echo\", \"hello world\", \"a b\"]"},
		{"continuation line", "FROM node:22\nCMD node \\\n  server.js\n", dockerfile.Options{}, []string{"2:5-3:12"}, `["node", "server.js"]`, "use the exec form CMD [\"node\", \"server.js\"]"},
		{"pipe: no fix", "FROM node:22\nCMD npm start | tee log\n", dockerfile.Options{}, []string{"2:5-2:24"}, "", "exec (JSON) form"},
		{"&&: no fix", "FROM node:22\nCMD cd /app && node server.js\n", dockerfile.Options{}, []string{"2:5-2:30"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"variable: no fix", "FROM node:22\nCMD node $APP\n", dockerfile.Options{}, []string{"2:5-2:14"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"redirect: no fix", "FROM node:22\nCMD node app.js > /log\n", dockerfile.Options{}, []string{"2:5-2:23"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"glob: no fix", "FROM node:22\nCMD node *.js\n", dockerfile.Options{}, []string{"2:5-2:14"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"assignment prefix: no fix", "FROM node:22\nCMD NODE_ENV=production node app.js\n", dockerfile.Options{}, []string{"2:5-2:36"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"sh -c inside: no fix", "FROM alpine:3\nCMD sh -c 'run.sh'\n", dockerfile.Options{}, []string{"2:5-2:19"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"builtin: no fix", "FROM alpine:3\nCMD cd /tmp\n", dockerfile.Options{}, []string{"2:5-2:12"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"exec redirection only does not hand over", "FROM alpine:3\nCMD exec >/log 2>&1; node app.js\n", dockerfile.Options{}, []string{"2:5-2:33"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"bash SHELL is still a shell", "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nCMD ./run\n", dockerfile.Options{}, []string{"3:5-3:10"}, `["./run"]`, `"/bin/bash -c"`},
		{"not valid JSON", "FROM alpine:3\nCMD [npm, start]\n", dockerfile.Options{}, []string{"2:5-2:17"}, "", "not valid JSON"},
		{"inherited from the parent stage", "FROM node:22 AS base\nCMD npm start\nFROM base\nRUN true\n", dockerfile.Options{}, []string{"2:5-2:14"}, `["npm", "start"]`, "use the exec form CMD [\"npm\", \"start\"]"},
		{"exec-form ENTRYPOINT keeps CMD", "FROM node:22\nENTRYPOINT [\"tini\", \"--\"]\nCMD npm start\n", dockerfile.Options{}, []string{"3:5-3:14"}, `["npm", "start"]`, "use the exec form CMD [\"npm\", \"start\"]"},
		{"target selects the builder", "FROM node:22 AS build\nCMD npm test\nFROM node:22\nCMD [\"node\"]\n", dockerfile.Options{Target: "build"}, []string{"2:5-2:13"}, `["npm", "test"]`, "use the exec form CMD [\"npm\", \"test\"]"},

		{"exec form", "FROM node:22\nCMD [\"npm\", \"start\"]\n", dockerfile.Options{}, nil, "", ""},
		{"exec prefix", "FROM node:22\nCMD exec npm start\n", dockerfile.Options{}, nil, "", ""},
		{"exec as the final command", "FROM node:22\nCMD cd /app && exec node server.js\n", dockerfile.Options{}, nil, "", ""},
		{"last CMD wins", "FROM node:22\nCMD npm start\nCMD [\"node\", \"app.js\"]\n", dockerfile.Options{}, nil, "", ""},
		{"builder stage only", "FROM node:22 AS build\nCMD npm test\nFROM node:22\nCOPY --from=build /app /app\n", dockerfile.Options{}, nil, "", ""},
		{"shell-form ENTRYPOINT: DV301's finding", "FROM node:22\nENTRYPOINT node app.js\nCMD npm start\n", dockerfile.Options{}, nil, "", ""},
		{"ENTRYPOINT in a later stage resets the inherited CMD", "FROM node:22 AS base\nCMD npm start\nFROM base\nENTRYPOINT [\"node\"]\n", dockerfile.Options{}, nil, "", ""},
		{"PowerShell SHELL", "FROM mcr.microsoft.com/powershell:lts\nSHELL [\"pwsh\", \"-Command\"]\nCMD Write-Host hi\n", dockerfile.Options{}, nil, "", ""},
		{"Windows base image (cmd)", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD ping -t localhost\n", dockerfile.Options{}, nil, "", ""},
		{"no CMD", "FROM node:22\nRUN true\n", dockerfile.Options{}, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, ShellFormCmd, tt.src, tt.opts)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			if len(ds) == 0 {
				return
			}
			d := ds[0]
			gotFix := ""
			if d.Fix != nil {
				if len(d.Fix.Edits) != 1 || d.Fix.Edits[0].Range != d.Range {
					t.Errorf("fix edits %+v, want one edit of the command %v", d.Fix.Edits, d.Range)
				}
				gotFix = d.Fix.Edits[0].NewText
			}
			if gotFix != tt.fix {
				t.Errorf("fix %q, want %q", gotFix, tt.fix)
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

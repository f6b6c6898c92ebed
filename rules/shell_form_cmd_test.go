package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
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
		{"simple command, with fix", "FROM node:22\nCMD npm start\n", dockerfile.Options{}, []string{"2:5-2:14"}, `["npm", "start"]`, `runs under "/bin/sh -c", which is dash on Debian and Ubuntu: dash stays PID 1 (BusyBox sh on Alpine and bash on Fedora would replace themselves with a single command) and does not forward SIGTERM`},
		{"lower-case keyword", "FROM node:22\ncmd npm start\n", dockerfile.Options{}, []string{"2:5-2:14"}, `["npm", "start"]`, "use the exec form CMD [\"npm\", \"start\"]"},
		{"quoted words keep their spaces", "FROM debian:12\nCMD echo \"hello world\" 'a b'\n", dockerfile.Options{}, []string{"2:5-2:29"}, `["echo", "hello world", "a b"]`, "use the exec form CMD [\"echo\", \"hello world\", \"a b\"]"},
		{"continuation line", "FROM node:22\nCMD node \\\n  server.js\n", dockerfile.Options{}, []string{"2:5-3:12"}, `["node", "server.js"]`, "use the exec form CMD [\"node\", \"server.js\"]"},
		{"pipe: no fix", "FROM node:22\nCMD npm start | tee log\n", dockerfile.Options{}, []string{"2:5-2:24"}, "", "which stays PID 1 for a pipeline (no shell replaces itself with it) and does not forward SIGTERM"},
		{"&&: no fix", "FROM node:22\nCMD cd /app && node server.js\n", dockerfile.Options{}, []string{"2:5-2:30"}, "", "dash stays PID 1 (BusyBox sh on Alpine and bash on Fedora would replace themselves with the last command of a list)"},
		{"variable: no fix", "FROM node:22\nCMD node $APP\n", dockerfile.Options{}, []string{"2:5-2:14"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"redirect: no fix", "FROM node:22\nCMD node app.js > /log\n", dockerfile.Options{}, []string{"2:5-2:23"}, "", "stays PID 1 for a redirection"},
		{"glob: no fix", "FROM node:22\nCMD node *.js\n", dockerfile.Options{}, []string{"2:5-2:14"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"assignment prefix: no fix", "FROM node:22\nCMD NODE_ENV=production node app.js\n", dockerfile.Options{}, []string{"2:5-2:36"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"sh -c inside: no fix", "FROM debian:12\nCMD sh -c 'run.sh'\n", dockerfile.Options{}, []string{"2:5-2:19"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"builtin: no fix", "FROM alpine:3\nCMD cd /tmp\n", dockerfile.Options{}, []string{"2:5-2:12"}, "", "stays PID 1 for the builtin `cd`"},
		{"exec redirection only does not hand over", "FROM debian:12\nCMD exec >/log 2>&1; node app.js\n", dockerfile.Options{}, []string{"2:5-2:33"}, "", "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"bash SHELL: a pipeline keeps bash as PID 1", "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nCMD node app.js | tee /log\n", dockerfile.Options{}, []string{"3:5-3:27"}, "", "runs under \"/bin/bash -o pipefail -c\", which stays PID 1 for a pipeline"},
		{"bash SHELL: an || list keeps bash as PID 1", "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nCMD node app.js || true\n", dockerfile.Options{}, []string{"3:5-3:24"}, "", "stays PID 1 for an || list"},
		{"dash SHELL stays PID 1 for a single command", "FROM debian:12\nSHELL [\"/bin/dash\", \"-c\"]\nCMD ./run\n", dockerfile.Options{}, []string{"3:5-3:10"}, "[\"./run\"]", "runs under \"/bin/dash -c\", which is dash: dash stays PID 1 even for a single command"},
		{"Alpine base: BusyBox sh stays PID 1 for a pipeline", "FROM alpine:3.20\nCMD node app.js | tee /log\n", dockerfile.Options{}, []string{"2:5-2:27"}, "", "stays PID 1 for a pipeline"},
		{"compound command", "FROM debian:12\nCMD if [ -f /x ]; then node a.js; fi\n", dockerfile.Options{}, []string{"2:5-2:37"}, "", "stays PID 1 for a compound command"},
		{"not valid JSON", "FROM alpine:3\nCMD [npm, start]\n", dockerfile.Options{}, []string{"2:5-2:17"}, "", "not valid JSON"},
		{"inherited from the parent stage", "FROM node:22 AS base\nCMD npm start\nFROM base\nRUN true\n", dockerfile.Options{}, []string{"2:5-2:14"}, `["npm", "start"]`, "use the exec form CMD [\"npm\", \"start\"]"},
		{"exec-form ENTRYPOINT keeps CMD", "FROM node:22\nENTRYPOINT [\"tini\", \"--\"]\nCMD npm start\n", dockerfile.Options{}, []string{"3:5-3:14"}, `["npm", "start"]`, "use the exec form CMD [\"npm\", \"start\"]"},
		{"target selects the builder", "FROM node:22 AS build\nCMD npm test\nFROM node:22\nCMD [\"node\"]\n", dockerfile.Options{Target: "build"}, []string{"2:5-2:13"}, `["npm", "test"]`, "use the exec form CMD [\"npm\", \"test\"]"},

		{"bash SHELL: bash replaces itself with a single simple command", "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nCMD ./run\n", dockerfile.Options{}, nil, "", ""},
		{"bash SHELL with options: the same", "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nCMD node app.js --port 80\n", dockerfile.Options{}, nil, "", ""},
		{"bash SHELL: the last simple command of an && list (bash 5.1+)", "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nCMD cd /app && node server.js\n", dockerfile.Options{}, nil, "", ""},
		{"ash SHELL", "FROM alpine:3\nSHELL [\"/bin/ash\", \"-c\"]\nCMD node app.js\n", dockerfile.Options{}, nil, "", ""},
		{"busybox sh SHELL", "FROM debian:12\nSHELL [\"/bin/busybox\", \"sh\", \"-c\"]\nCMD node app.js\n", dockerfile.Options{}, nil, "", ""},
		{"Alpine base: BusyBox sh replaces itself with a single command", "FROM alpine:3.20\nCMD node app.js\n", dockerfile.Options{}, nil, "", ""},
		{"-alpine tag", "FROM node:22-alpine\nCMD node app.js\n", dockerfile.Options{}, nil, "", ""},
		{"BusyBox base, && list", "FROM busybox:1.36\nCMD cd /srv && httpd -f\n", dockerfile.Options{}, nil, "", ""},
		{"Alpine base through a stage", "FROM alpine:3 AS base\nRUN true\nFROM base\nCMD ./run\n", dockerfile.Options{}, nil, "", ""},
		{"Alpine base: exec redirection, then the command", "FROM alpine:3\nCMD exec >/log 2>&1; node app.js\n", dockerfile.Options{}, nil, "", ""},
		{"Debian base: dash stays PID 1 for a single command", "FROM debian:bookworm\nCMD ./run\n", dockerfile.Options{}, []string{"2:5-2:10"}, "[\"./run\"]", "runs under \"/bin/sh -c\", which is dash on debian:bookworm: dash stays PID 1 even for a single command"},
		{"Debian release in the tag", "FROM python:3.12-slim-bookworm\nCMD python app.py\n", dockerfile.Options{}, []string{"2:5-2:18"}, "[\"python\", \"app.py\"]", "which is dash on python:3.12-slim-bookworm: dash stays PID 1"},
		{"Fedora base: /bin/sh is bash", "FROM fedora:41\nCMD ./run\n", dockerfile.Options{}, nil, "", ""},
		{"UBI base: /bin/sh is bash", "FROM registry.access.redhat.com/ubi9/ubi-minimal\nCMD ./run\n", dockerfile.Options{}, nil, "", ""},
		{"CentOS Stream s2i base: /bin/sh is bash", "FROM quay.io/sclorg/s2i-base-c9s:c9s\nCMD $STI_SCRIPTS_PATH/usage\n", dockerfile.Options{}, nil, "", ""},
		{"UBI minimal with a version in the name", "FROM registry.access.redhat.com/ubi10-minimal\nCMD ./run\n", dockerfile.Options{}, nil, "", ""},
		{"Fedora organisation", "FROM quay.io/fedora/s2i-base:latest\nCMD ./run\n", dockerfile.Options{}, nil, "", ""},
		{"alpine- repository", "FROM easypi/alpine-arm\nCMD ./run\n", dockerfile.Options{}, nil, "", ""},
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

// TestShellFormCmdInherited: a shell-form CMD inherited from the base image
// is judged by the same shell behaviour as one written in the Dockerfile.
func TestShellFormCmdInherited(t *testing.T) {
	withCmd := func(ref string, cmd ...string) *image.Image {
		return &image.Image{Ref: ref, OS: "linux", Cmd: cmd}
	}
	bases := baseImages(map[string]*image.Image{
		"debian:12":   withCmd("debian:12", "/bin/sh", "-c", "npm start"),
		"alpine:3.20": withCmd("alpine:3.20", "/bin/sh", "-c", "npm start"),
		"alpine:3.21": withCmd("alpine:3.21", "/bin/sh", "-c", "npm start | tee /log"),
		"app:1":       withCmd("app:1", "/bin/bash", "-c", "npm start"),
	})
	tests := []struct {
		name string
		src  string
		want []string // positions
		msg  string   // a substring of the (first) message
	}{
		{"Debian base: dash stays PID 1", "FROM debian:12\nCOPY . /app\n", []string{"1:6-1:15"}, `inherits base image debian:12's shell-form CMD ["/bin/sh","-c","npm start"], which runs under "/bin/sh -c", which is dash on debian:12: dash stays PID 1`},
		{"Alpine base: a pipeline keeps BusyBox sh as PID 1", "FROM alpine:3.21\nCOPY . /app\n", []string{"1:6-1:17"}, "stays PID 1 for a pipeline"},

		{"Alpine base: BusyBox sh hands over", "FROM alpine:3.20\nCOPY . /app\n", nil, ""},
		{"bash in the base image's CMD hands over", "FROM app:1\nCOPY . /app\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.RunBases(t, ShellFormCmd, tt.src, dockerfile.Options{}, bases)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

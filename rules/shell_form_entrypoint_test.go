package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestShellFormEntrypoint(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		opts    dockerfile.Options
		want    []string // positions
		fix     string   // the fix's new text, "" for none
		related []string // positions of related locations
		msg     string   // a substring of the (first) message
	}{
		{"simple command, with fix", "FROM node:22\nENTRYPOINT node app.js\n", dockerfile.Options{}, []string{"2:12-2:23"}, `["node", "app.js"]`, nil, "which is dash on Debian and Ubuntu: dash stays PID 1 (BusyBox sh on Alpine and bash on Fedora would replace themselves with a single command) and does not forward SIGTERM: every stop waits out the grace period and ends in SIGKILL, and CMD or `docker run` arguments are ignored"},
		{"lower-case keyword", "FROM node:22\nentrypoint node app.js\n", dockerfile.Options{}, []string{"2:12-2:23"}, `["node", "app.js"]`, nil, "use the exec form ENTRYPOINT [\"node\", \"app.js\"]"},
		{"CMD is ignored: related, no fix", "FROM node:22\nENTRYPOINT node app.js\nCMD [\"--port\", \"80\"]\n", dockerfile.Options{}, []string{"2:12-2:23"}, "", []string{"3:5-3:21"}, "CMD on line 3 is ignored"},
		{"CMD before it in the same stage is kept, and ignored", "FROM node:22\nCMD [\"--port\", \"80\"]\nENTRYPOINT node app.js\n", dockerfile.Options{}, []string{"3:12-3:23"}, "", []string{"2:5-2:21"}, "the CMD on line 2 is ignored"},
		{"CMD of the parent stage is reset", "FROM node:22 AS base\nCMD [\"x\"]\nFROM base\nENTRYPOINT node app.js\n", dockerfile.Options{}, []string{"4:12-4:23"}, `["node", "app.js"]`, nil, "CMD or `docker run` arguments are ignored"},
		{"script: no fix", "FROM node:22\nENTRYPOINT /entrypoint.sh && node app.js\n", dockerfile.Options{}, []string{"2:12-2:41"}, "", nil, "use the exec (JSON) form, or make the shell hand over with `exec`"},
		{"single-quoted pseudo JSON", "FROM alpine:3\nENTRYPOINT ['/bin/app']\n", dockerfile.Options{}, []string{"2:12-2:24"}, "", nil, "not valid JSON"},

		{"bash SHELL hands over, but the CMD is still ignored", "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nENTRYPOINT node app.js\nCMD [\"--port\", \"80\"]\n", dockerfile.Options{}, []string{"3:12-3:23"}, "", []string{"4:5-4:21"}, "shell-form ENTRYPOINT runs under \"/bin/bash -c\", which replaces itself with the program, but a shell-form ENTRYPOINT gets no arguments: the CMD on line 4 is ignored"},
		{"Alpine base: a pipeline keeps BusyBox sh as PID 1", "FROM alpine:3\nENTRYPOINT node app.js | tee /log\n", dockerfile.Options{}, []string{"2:12-2:34"}, "", nil, "stays PID 1 for a pipeline"},

		{"bash SHELL, single command, no CMD", "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nENTRYPOINT node app.js\n", dockerfile.Options{}, nil, "", nil, ""},
		{"Alpine base, single command, no CMD", "FROM alpine:3\nENTRYPOINT node app.js\n", dockerfile.Options{}, nil, "", nil, ""},
		{"exec form", "FROM node:22\nENTRYPOINT [\"node\", \"app.js\"]\n", dockerfile.Options{}, nil, "", nil, ""},
		{"exec prefix", "FROM node:22\nENTRYPOINT exec node app.js\n", dockerfile.Options{}, nil, "", nil, ""},
		{"exec as the final command", "FROM node:22\nENTRYPOINT cd /app && exec node app.js\n", dockerfile.Options{}, nil, "", nil, ""},
		{"last ENTRYPOINT wins", "FROM node:22\nENTRYPOINT node app.js\nENTRYPOINT [\"node\"]\n", dockerfile.Options{}, nil, "", nil, ""},
		{"builder stage only", "FROM node:22 AS build\nENTRYPOINT npm test\nFROM node:22\n", dockerfile.Options{}, nil, "", nil, ""},
		{"PowerShell SHELL", "FROM mcr.microsoft.com/powershell:lts\nSHELL [\"pwsh\", \"-Command\"]\nENTRYPOINT Write-Host hi\n", dockerfile.Options{}, nil, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, ShellFormEntrypoint, tt.src, tt.opts)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			if len(ds) == 0 {
				return
			}
			d := ds[0]
			gotFix := ""
			if d.Fix != nil {
				gotFix = d.Fix.Edits[0].NewText
			}
			if gotFix != tt.fix {
				t.Errorf("fix %q, want %q", gotFix, tt.fix)
			}
			var rel []string
			for _, r := range d.Related {
				rel = append(rel, r.Range.Start.String()+"-"+r.Range.End.String())
			}
			if !slices.Equal(rel, tt.related) {
				t.Errorf("related %v, want %v", rel, tt.related)
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

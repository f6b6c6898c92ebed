package dockerfile

import (
	"strings"
	"testing"
)

// TestCheckDirectives: BuildKit reads a `# check=` comment above any
// instruction through the linter the front end passes to
// ParseInstructionWithLinter (issue 7, item 1: a nil linter crashed the whole
// file). Directives at the top and `# check=` comments anywhere else must
// parse like ordinary comments: every instruction parsed, no syntax error.
func TestCheckDirectives(t *testing.T) {
	cases := []struct {
		name string
		src  string
	}{
		{"check skip at the top", "# check=skip=JSONArgsRecommended\nFROM alpine\nCMD echo hi\n"},
		{"check error at the top", "# check=error=true\nFROM alpine\nCMD echo hi\n"},
		{"syntax and check at the top", "# syntax=docker/dockerfile:1\n# check=skip=StageNameCasing;error=true\nFROM alpine AS Build\nCMD echo hi\n"},
		{"syntax without space", "#syntax=docker/dockerfile:1.7-labs\nFROM alpine\nRUN true\n"},
		{"syntax escape and check", "# syntax = docker/dockerfile:1\n# escape=`\n# check=skip=all\nFROM alpine\nRUN echo a `\n  b\n"},
		{"check skip above CMD", "FROM alpine\n# check=skip=JSONArgsRecommended\nCMD echo hi\n"},
		{"check skip above FROM", "FROM alpine AS a\n# check=skip=StageNameCasing,FromAsCasing\nFROM a as B\nRUN true\n"},
		{"check skip above ARG", "FROM alpine\n# check=skip=InvalidDefinitionDescription\n# VERSION is the version\nARG VERSION=1\n"},
		{"check skip above MAINTAINER", "FROM alpine\n# check=skip=MaintainerDeprecated\nMAINTAINER me\n"},
		{"check skip all in the middle", "FROM alpine\nRUN true\n# check=skip=all\nMAINTAINER me\n"},
		{"check error in the middle", "FROM alpine\n# check=error=true\nMAINTAINER me\nFROM alpine as B\n"},
		{"check with a bad value", "FROM alpine\n# check=error=maybe\nMAINTAINER me\n# check=skip=\nCMD echo hi\n"},
		{"check above a meta ARG", "# hello\n# check=skip=all\nARG A=1\nFROM alpine\n"},
		{"check in a continuation", "FROM alpine\nRUN echo a \\\n# check=skip=all\n  b\n"},
		{"check upper case and no space", "FROM alpine\n#CHECK=skip=all\nMAINTAINER me\n#check=skip=all\nMAINTAINER me\n"},
		{"check twice above one instruction", "FROM alpine\n# check=skip=all\n# check=error=true\nMAINTAINER me\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := parseChecked(t, []byte(c.src))
			if len(f.Errors) != 0 {
				t.Errorf("errors %q", errorMessages(f))
			}
			want := 0
			for _, line := range strings.Split(c.src, "\n") {
				if t := strings.TrimSpace(line); t != "" && t[0] != '#' && (line[0] != ' ') {
					want++
				}
			}
			if len(f.Instructions) != want {
				t.Errorf("%d instructions, want %d", len(f.Instructions), want)
			}
			for _, in := range f.Instructions {
				if in.Invalid || (in.Keyword != "FROM" && in.Keyword != "RUN" && in.Command == nil) { // RUN releases its Command once parsed
					t.Errorf("line %d: %s was not parsed", in.StartLine, in.Keyword)
				}
			}
			ncheck := 0
			for _, cm := range f.Comments {
				if strings.HasPrefix(strings.ToLower(cm.Text), "check=") {
					ncheck++
				}
			}
			if want := strings.Count(strings.ToLower(c.src), "check="); ncheck != want {
				t.Errorf("%d check comments recorded, want %d", ncheck, want)
			}
		})
	}
}

// TestUnknownInstructionSuggestionIsStable: BuildKit suggests a close
// instruction name by iterating a map, so equally close names ("rm" is as
// close to ARG, CMD and RUN) came out differently from run to run; the first
// in alphabetical order is taken, so the same
// input gives the same output every time.
func TestUnknownInstructionSuggestionIsStable(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"FROM alpine\nrm -rf /x\n", "unknown instruction: rm (did you mean arg?)"},
		{"FROM alpine\nRUNN true\n", "unknown instruction: RUNN (did you mean RUN?)"},
		{"FROM alpine\nfrobnicate x\n", "unknown instruction: frobnicate"},
	} {
		for range 20 {
			f, err := Parse("Dockerfile", []byte(tc.src), Options{})
			if err != nil || len(f.Errors) != 1 {
				t.Fatalf("%q: err %v, errors %+v", tc.src, err, f.Errors)
			}
			if got := f.Errors[0].Message; got != tc.want {
				t.Fatalf("%q: %q, want %q", tc.src, got, tc.want)
			}
		}
	}
}

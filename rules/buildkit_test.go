package rules

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

// BuildKit's verdicts are compared with BuildKit's own linter in
// buildkit_oracle_test.go (case files) and by make buildkit-parity (the
// corpus). This file pins what that comparison cannot see: where each check
// points (the exact token, never column 1 when the token is known), its
// message, and the base-image cases that stay silent when the base is
// unknown.

// alpineBase answers every lookup with an alpine-like base: PATH and HOME,
// linux/amd64, no SHELL.
func alpineBase(ref string) (*image.Image, error) {
	return &image.Image{Ref: ref, OS: "linux", Architecture: "amd64", Env: []string{"PATH=/usr/bin:/bin", "HOME=/root"}}, nil
}

func unknownBase(ref string) (*image.Image, error) {
	return nil, errors.New("offline")
}

func TestBuildKitCheckPositions(t *testing.T) {
	tests := []struct {
		name  string
		r     *rule.Rule
		src   string
		bases func(string) (*image.Image, error)
		want  []string // "line:col-endLine:endCol"
		msg   string
	}{
		{"as keyword", FromAsCasing, "FROM alpine:3.20 as build\n", nil, []string{"1:18-1:20"}, "'as' and 'FROM' keywords' casing do not match"},
		{"lowercase from and as", FromAsCasing, "from alpine:3.20 as build\n", nil, nil, ""},
		{"stage name", StageNameCasing, "FROM alpine:3.20 AS Build\n", nil, []string{"1:21-1:26"}, "Stage name 'Build' should be lowercase"},
		{"second stage name", DuplicateStageName, "FROM alpine:3.20 AS b\nFROM alpine:3.20 AS B\n", nil, []string{"2:21-2:22"}, `Duplicate stage name "b"`},
		{"reserved name", ReservedStageName, "FROM alpine:3.20 AS scratch\n", nil, []string{"1:21-1:28"}, `reserved stage "scratch"`},
		{"undefined variable", UndefinedVar, "FROM alpine:3.20\nENV A=$HOMEE\n", alpineBase, []string{"2:7-2:13"}, "Usage of undefined variable '$HOMEE' (did you mean $HOME?)"},
		{"variable on a continuation line", UndefinedVar, "FROM alpine:3.20\nCOPY a \\\n  ${DEST}/\n", alpineBase, []string{"3:3-3:10"}, "'$DEST'"},
		{"variable from the base image", UndefinedVar, "FROM alpine:3.20\nENV A=$HOME\n", alpineBase, nil, ""},
		{"unknown base: silent", UndefinedVar, "FROM alpine:3.20\nENV A=$MISSING\n", unknownBase, nil, ""},
		{"modifier inside the braces", UndefinedVar, "FROM scratch\nENV A=${LIB:+$LIB:}/lib\n", nil, []string{"2:7-2:20"}, "'$LIB'"},
		{"scratch has only PATH", UndefinedVar, "FROM scratch\nENV A=$HOME\n", nil, []string{"2:7-2:12"}, "'$HOME'"},
		{"declared ARG without value", UndefinedVar, "FROM alpine:3.20\nARG V\nENV A=$V\n", alpineBase, nil, ""},
		{"undeclared FROM variable", UndefinedArgInFrom, "ARG TAG=1\nFROM alpine:${TAGG}\n", nil, []string{"2:13-2:20"}, "FROM argument 'TAGG' is not declared (did you mean TAG?)"},
		{"predefined platform ARG", UndefinedArgInFrom, "FROM --platform=$BUILDPLATFORM alpine:3.20\n", nil, nil, ""},
		{"empty default", InvalidDefaultArgInFrom, "ARG B\nFROM ${B}\n", nil, []string{"2:6-2:10"}, "results in empty or invalid base image name"},
		{"relative workdir", WorkdirRelativePath, "FROM scratch\nWORKDIR app\n", nil, []string{"2:9-2:12"}, `Relative workdir "app"`},
		{"absolute first", WorkdirRelativePath, "FROM scratch\nWORKDIR /srv\nWORKDIR app\n", nil, nil, ""},
		{"variable the base defines", WorkdirRelativePath, "FROM alpine:3.20\nWORKDIR ${HOME}\n", alpineBase, nil, ""},
		{"variable nobody defines", WorkdirRelativePath, "FROM alpine:3.20\nWORKDIR ${APP}\n", alpineBase, []string{"2:9-2:15"}, `Relative workdir ""`},
		{"variable, unknown base", WorkdirRelativePath, "FROM alpine:3.20\nWORKDIR ${APP}\n", unknownBase, nil, ""},
		{"earlier CMD", MultipleInstructionsDisallowed, "FROM scratch\nCMD [\"a\"]\nCMD [\"b\"]\n", nil, []string{"2:1-2:4"}, "Multiple CMD instructions"},
		{"CMD per stage", MultipleInstructionsDisallowed, "FROM scratch AS a\nCMD [\"a\"]\nFROM a\nCMD [\"b\"]\n", nil, nil, ""},
		{"legacy ENV", LegacyKeyValueFormat, "FROM scratch\nENV key value\n", nil, []string{"2:5-2:8"}, `"ENV key=value" should be used`},
		{"legacy LABEL", LegacyKeyValueFormat, "FROM scratch\nLABEL maintainer me\n", nil, []string{"2:7-2:17"}, `"LABEL key=value"`},
		{"secret name", SecretsUsedInArgOrEnv, "FROM scratch\nARG A=1 GITHUB_TOKEN=x\n", nil, []string{"2:9-2:21"}, `(ARG "GITHUB_TOKEN")`},
		{"allowed word", SecretsUsedInArgOrEnv, "FROM scratch\nARG PUBLIC_KEY\nENV KEY_FILE=/k\n", nil, nil, ""},
		{"global ARG", SecretsUsedInArgOrEnv, "ARG API_TOKEN\nFROM scratch\n", nil, nil, ""},
		{"platform mismatch", InvalidBaseImagePlatform, "FROM alpine:3.20\n", func(ref string) (*image.Image, error) {
			return &image.Image{Ref: ref, OS: "linux", Architecture: "arm64"}, nil
		}, []string{"1:6-1:17"}, `was pulled with platform "linux/arm64", expected "linux/amd64"`},
		{"platform unknown", InvalidBaseImagePlatform, "FROM alpine:3.20\n", unknownBase, nil, ""},
		{"redundant", RedundantTargetPlatform, "FROM --platform=$TARGETPLATFORM alpine:3.20\n", nil, []string{"1:17-1:32"}, "redundant"},
		{"constant platform", FromPlatformFlagConstDisallowed, "FROM --platform=linux/amd64 alpine:3.20\n", nil, []string{"1:17-1:28"}, `constant value "linux/amd64"`},
		{"platform named in the stage", FromPlatformFlagConstDisallowed, "FROM --platform=linux/arm64 alpine:3.20 AS build-arm64\n", nil, nil, ""},
		{"maintainer", MaintainerDeprecated, "FROM scratch\nMAINTAINER me\n", nil, []string{"2:1-2:11"}, "Maintainer instruction is deprecated"},
		{"minority casing", ConsistentInstructionCasing, "FROM scratch\nrun x\nCMD [\"a\"]\n", nil, []string{"2:1-2:4"}, "Command 'run' should match the case of the command majority (uppercase)"},
		{"protocol case", ExposeProtoCasing, "FROM scratch\nEXPOSE 53 80/TCP\n", nil, []string{"2:11-2:17"}, "'80/TCP'"},
		{"host port", ExposeInvalidFormat, "FROM scratch\nEXPOSE 8080:80\n", nil, []string{"2:8-2:15"}, "found '8080:80'"},
		{"empty line", NoEmptyContinuation, "FROM scratch\nRUN a \\\n\n  b\n", nil, []string{"3:1-3:1"}, "Empty continuation line"},
		{"shell form", JSONArgsRecommended, "FROM scratch\nCMD run now\n", nil, []string{"2:5-2:12"}, "JSON arguments recommended for CMD"},
		{"base image with SHELL", JSONArgsRecommended, "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD run\n", func(ref string) (*image.Image, error) {
			return &image.Image{Ref: ref, OS: "linux", Architecture: "amd64", Shell: []string{"pwsh", "-c"}}, nil
		}, nil, ""},
		{"unknown base: assumed without SHELL", JSONArgsRecommended, "FROM alpine:3.20\nCMD run\n", unknownBase, []string{"2:5-2:8"}, "JSON arguments"},
		{"description", InvalidDefinitionDescription, "FROM scratch\n# the version\nARG foo=1\n", nil, []string{"3:5-3:8"}, "Comment for ARG should follow the format: `# foo <description>`"},
	}
	for _, tt := range tests {
		t.Run(tt.r.ID+"/"+tt.name, func(t *testing.T) {
			ds := ruletest.RunEnv(t, tt.r, tt.src, dockerfile.Options{}, ruletest.Env{Bases: tt.bases})
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Errorf("positions %v, want %v\n%v", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

// A .dockerignore read as DV412 reads it decides CopyIgnoredFile.
func TestCopyIgnoredFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("*.md\nsecrets/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, err := buildctx.Open(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		src  string
		want []string
		msg  string
	}{
		{"FROM scratch\nCOPY README.md /\n", []string{"2:6-2:15"}, `Attempting to Copy file "README.md" that is excluded by .dockerignore`},
		{"FROM scratch\nADD app secrets/key /\n", []string{"2:9-2:20"}, `Attempting to Add file "secrets/key"`},
		{"FROM scratch\nCOPY app /\n", nil, ""},
		{"FROM alpine:3.20 AS b\nFROM scratch\nCOPY --from=b README.md /\n", nil, ""},
		{"FROM scratch\nADD https://example.com/README.md /\n", nil, ""},
	}
	for _, tt := range tests {
		ds := ruletest.RunEnv(t, CopyIgnoredFile, tt.src, dockerfile.Options{}, ruletest.Env{Context: ctx})
		if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
			t.Errorf("%q: positions %v, want %v\n%v", tt.src, got, tt.want, ruletest.Lines(ds))
		}
		ruletest.WantMessage(t, ds, tt.msg)
	}
}

// `# check=` settings as BuildKit reads them: at the top of the file they
// apply to the whole file, above an instruction to that instruction only;
// error=true makes the checks errors.
func TestBuildKitCheckDirectives(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
		min  finding.Severity
	}{
		{"no directive", "FROM scratch\nMAINTAINER a\nMAINTAINER b\n", []string{"2:1-2:11", "3:1-3:11"}, finding.SeverityNone},
		{"skip named", "# check=skip=MaintainerDeprecated\nFROM scratch\nMAINTAINER a\n", nil, finding.SeverityNone},
		{"skip all", "# check=skip=all\nFROM scratch\nMAINTAINER a\n", nil, finding.SeverityNone},
		{"upper-case key", "# CHECK=skip=MaintainerDeprecated\nFROM scratch\nMAINTAINER a\n", nil, finding.SeverityNone},
		{"above one instruction", "FROM scratch\n# check=skip=MaintainerDeprecated\nMAINTAINER a\nMAINTAINER b\n", []string{"4:1-4:11"}, finding.SeverityNone},
		{"above one instruction, any case and spacing", "FROM scratch\n# a note\n#  Check = skip=MaintainerDeprecated\nMAINTAINER a\nMAINTAINER b\n", []string{"5:1-5:11"}, finding.SeverityNone},
		{"error=true", "# check=error=true\nFROM scratch\nMAINTAINER a\n", []string{"3:1-3:11"}, finding.SeverityError},
		{"after an instruction it is a comment", "FROM scratch\nRUN x\n\n# check=skip=all\n#\nMAINTAINER a\n", []string{"6:1-6:11"}, finding.SeverityNone},
		{"malformed: ignored, never a crash", "# check=skip\nFROM scratch\nMAINTAINER a\n", []string{"3:1-3:11"}, finding.SeverityNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, MaintainerDeprecated, tt.src, dockerfile.Options{})
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Errorf("positions %v, want %v", got, tt.want)
			}
			for _, d := range ds {
				if d.MinSeverity != tt.min {
					t.Errorf("MinSeverity %v, want %v", d.MinSeverity, tt.min)
				}
			}
		})
	}
}

// A `# check=` comment above an instruction that BuildKit's dispatch
// checks (LegacyKeyValueFormat, from its ENV) skips them there only: the
// comment settings are read for every instruction, in any letter case.
func TestBuildKitCheckCommentAboveDispatchedInstruction(t *testing.T) {
	src := "FROM scratch\n# CHECK=skip=LegacyKeyValueFormat\nENV a b\nENV c d\n"
	ds := ruletest.Run(t, LegacyKeyValueFormat, src, dockerfile.Options{})
	if got, want := ruletest.Positions(ds), []string{"4:5-4:6"}; !slices.Equal(got, want) {
		t.Errorf("positions %v, want %v", got, want)
	}
}

// # check=skip=JSONArgsRecommended names DV300 and DV301's BuildKit form:
// it silences them too.
func TestSkipJSONArgsRecommendedSilencesShellForm(t *testing.T) {
	for _, r := range []*rule.Rule{ShellFormCmd, ShellFormEntrypoint} {
		src := "FROM debian:12\nRUN true\nCMD sleep 1 && echo done\n"
		if r == ShellFormEntrypoint {
			src = "FROM debian:12\nENTRYPOINT sleep 1 && echo done\n"
		}
		if ds := ruletest.Run(t, r, src, dockerfile.Options{}); len(ds) != 1 {
			t.Fatalf("%s: %d findings without the directive, want 1 (the test needs one)", r, len(ds))
		}
		for _, dir := range []string{"# check=skip=JSONArgsRecommended\n", "# check=skip=all\n"} {
			if ds := ruletest.Run(t, r, dir+src, dockerfile.Options{}); len(ds) != 0 {
				t.Errorf("%s with %q: %v", r, dir, ruletest.Lines(ds))
			}
		}
	}
}

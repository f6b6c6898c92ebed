package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

func pairs(v Verdict) []string {
	var out []string
	for _, w := range v.Warnings {
		out = append(out, fmt.Sprintf("%s:%d", w.Rule, w.Line))
	}
	return out
}

// TestLintFakeBase pins what the fake base changes in BuildKit's verdicts:
// Env, Shell and platform come from the base JSON, and an image with a
// layer is not scratch.
func TestLintFakeBase(t *testing.T) {
	withHome := BaseConfig{Env: []string{defaultPath, "HOME=/home/app"}}
	for _, tc := range []struct {
		name string
		src  string
		base BaseConfig
		want []string
	}{
		{"home undefined", "FROM alpine\nWORKDIR $HOME\n", DefaultBase(), []string{"UndefinedVar:2", "WorkdirRelativePath:2"}},
		{"home from base", "FROM alpine\nWORKDIR $HOME\n", withHome, nil},
		{"path from default base", "FROM alpine\nENV PATH=$PATH:/x\n", DefaultBase(), nil},
		{"shell form", "FROM alpine\nCMD run it\n", DefaultBase(), []string{"JSONArgsRecommended:2"}},
		{"base shell", "FROM alpine\nCMD run it\n", BaseConfig{Shell: []string{"/bin/bash", "-c"}}, nil},
		{"other arch", "FROM alpine\n", BaseConfig{OS: "linux", Architecture: "arm64"}, []string{"InvalidBaseImagePlatform:1"}},
		{"same arch", "FROM alpine\n", BaseConfig{OS: "linux", Architecture: "amd64"}, nil},
		// Without LLBCaps BuildKit dereferences a nil cap set here.
		{"bind mount rw", "FROM alpine\nRUN --mount=type=bind,rw,target=/src true\n", DefaultBase(), nil},
	} {
		v := Lint(context.Background(), "Dockerfile", []byte(tc.src), tc.base)
		if v.Panic != "" || v.Error != "" {
			t.Errorf("%s: panic %q, error %q", tc.name, v.Panic, v.Error)
		}
		if got := pairs(v); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestLintHardError: the error that stops BuildKit is kept with its line,
// with the warnings found before it.
func TestLintHardError(t *testing.T) {
	v := Lint(context.Background(), "Dockerfile", []byte("FROM alpine AS Up\nMAINTAINER me\nNOSUCH x\n"), DefaultBase())
	if got := pairs(v); !slices.Equal(got, []string{"StageNameCasing:1", "MaintainerDeprecated:2"}) {
		t.Errorf("warnings %v", got)
	}
	if v.ErrorLine != 3 || !strings.Contains(v.Error, "unknown instruction") {
		t.Errorf("error %d %q", v.ErrorLine, v.Error)
	}
}

// TestCompareAliasAndAfterError pins the comparison: DV300 stands for
// JSONArgsRecommended on its line only, and an extra past BuildKit's hard
// error is counted apart.
func TestCompareAliasAndAfterError(t *testing.T) {
	at := func(id string, line int) finding.Finding {
		return finding.Finding{RuleID: id, Range: source.LineRange(line, "X")}
	}
	fr := &fileResult{
		verdict: Verdict{Error: "stop", ErrorLine: 4},
		oracle:  map[key]int{{"JSONArgsRecommended", 2}: 1, {"MaintainerDeprecated", 3}: 1},
		dockvet: map[key]int{}, aliased: map[key]int{}, missing: map[key]int{}, extra: map[key]int{}, afterErr: map[key]bool{},
	}
	fr.compare([]finding.Finding{at("DV300", 2), at("DV300", 7), at("StageNameCasing", 1), at("UndefinedVar", 5)}, func(_ string, line int) int { return line })
	if fr.aliased[key{"JSONArgsRecommended", 2}] != 1 || len(fr.missing) != 1 || fr.missing[key{"MaintainerDeprecated", 3}] != 1 {
		t.Errorf("aliased %v missing %v", fr.aliased, fr.missing)
	}
	if len(fr.extra) != 2 || fr.afterErr[key{"StageNameCasing", 1}] || !fr.afterErr[key{"UndefinedVar", 5}] {
		t.Errorf("extra %v afterErr %v", fr.extra, fr.afterErr)
	}
}

// TestWriteCasesKeepsHandWritten: regeneration keeps CopyIgnoredFile lines
// (the oracle cannot produce them) and rewrites the rest.
func TestWriteCasesKeepsHandWritten(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "c.Dockerfile")
	if err := os.WriteFile(df, []byte("FROM alpine\nCOPY secret.txt /\nMAINTAINER me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "c.want")
	if err := os.WriteFile(want, []byte("CopyIgnoredFile:2\nStale:9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteCases(context.Background(), dir, new(strings.Builder)); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(want)
	if string(got) != "CopyIgnoredFile:2\nMaintainerDeprecated:3\n" {
		t.Errorf("got %q", got)
	}
}

// TestStoppedByErrorTrue: `# check=error=true` reports its error after a
// complete analysis, so nothing is missing from BuildKit's answer.
func TestStoppedByErrorTrue(t *testing.T) {
	v := Lint(context.Background(), "Dockerfile", []byte("# check=error=true\nFROM alpine as up\n"), DefaultBase())
	if v.Error == "" || v.Stopped() {
		t.Errorf("error %q, stopped %v", v.Error, v.Stopped())
	}
	v = Lint(context.Background(), "Dockerfile", []byte("FROM alpine\nNOSUCH x\n"), DefaultBase())
	if !v.Stopped() {
		t.Errorf("unknown instruction: not stopped (%q)", v.Error)
	}
}

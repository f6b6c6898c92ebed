package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTree writes files (name → content) under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// lintJSON runs lint -f json and returns the exit code and "file rule" pairs.
func lintJSON(t *testing.T, args ...string) (int, []string, string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, "", append([]string{"lint", "-f", "json"}, args...)...)
	var doc struct {
		Findings []struct{ Rule, File string }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s%s", err, stdout, stderr)
	}
	var got []string
	for _, f := range doc.Findings {
		got = append(got, filepath.Base(filepath.Dir(f.File))+" "+f.Rule)
	}
	slices.Sort(got)
	return code, got, stderr
}

// TestNearestConfigPerDockerfile: in a monorepo each Dockerfile uses the
// .dockvet.yaml nearest to it, up to the repository root; --config forces
// one for all.
func TestNearestConfigPerDockerfile(t *testing.T) {
	repo := t.TempDir()
	const df = "FROM debian:latest\nCMD run\n" // dash is /bin/sh: latest-tag, DV300 shell-form-cmd, DV302 root-user
	writeTree(t, repo, map[string]string{
		".git/HEAD":                "ref: refs/heads/main\n",
		".dockvet.yaml":            "ignore: [DV302]\n",
		"root/Dockerfile":          df,
		"api/Dockerfile":           df,
		"api/.dockvet.yaml":        "ignore: [DV302, DV300]\n",
		"api/deep/Dockerfile":      df,
		"web/.dockvet.yaml":        "ignore: [DV200]\nfail-on: none\n",
		"web/Dockerfile":           df,
		"../outside/.dockvet.yaml": "ignore: [DV200, DV300, DV302]\n", // above the repository root: never used
	})
	code, got, stderr := lintJSON(t, "--offline", "--ignore", "DV001", repo)
	// api ignores DV300, so BuildKit's JSONArgsRecommended, which yields
	// to DV300 on the same CMD, reports it there.
	want := []string{
		"api DV200", "api JSONArgsRecommended",
		"deep DV200", "deep JSONArgsRecommended",
		"root DV200", "root DV300",
		"web DV300", "web DV302",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings = %v, want %v\n%s", got, want, stderr)
	}
	if code != 1 {
		t.Errorf("exit %d, want 1 (api and root fail at their default threshold)", code)
	}

	// Only web's files: its fail-on none decides the exit code.
	if code, _, stderr := lintJSON(t, "--offline", filepath.Join(repo, "web")); code != 0 {
		t.Errorf("web alone: exit %d, want 0\n%s", code, stderr)
	}

	// --config forces one file for every Dockerfile.
	_, got, stderr = lintJSON(t, "--offline", "--ignore", "DV001", "--config", filepath.Join(repo, "api", ".dockvet.yaml"), repo)
	want = []string{"api DV200", "api JSONArgsRecommended", "deep DV200", "deep JSONArgsRecommended", "root DV200", "root JSONArgsRecommended", "web DV200", "web JSONArgsRecommended"}
	if !slices.Equal(got, want) {
		t.Errorf("--config: findings = %v, want %v\n%s", got, want, stderr)
	}
}

func TestFlagPapercuts(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"Dockerfile":      "ARG TAG=3.20\nFROM alpine:${TAG}\nCMD run\n",
		"empty/README.md": "no Dockerfile here\n",
	})
	df := filepath.Join(dir, "Dockerfile")

	t.Run("--version", func(t *testing.T) {
		code, stdout, _ := runCLI(t, "", "--version")
		_, want, _ := runCLI(t, "", "version")
		if code != 0 || stdout != want || !strings.HasPrefix(stdout, "dockvet ") {
			t.Errorf("--version: exit %d, %q; want %q", code, stdout, want)
		}
	})
	t.Run("comma lists", func(t *testing.T) {
		_, got, stderr := lintJSON(t, "--offline", "--ignore", "DV001,shell-form-cmd,json-args-recommended", "--ignore", "DV302", df)
		if len(got) != 0 {
			t.Errorf("--ignore DV001,shell-form-cmd,json-args-recommended --ignore DV302: findings %v\n%s", got, stderr)
		}
		_, got, _ = lintJSON(t, "--offline", "--ignore", "DV001,DV300,JSONArgsRecommended,DV302", "--enable", "DV203, DV100", df)
		if !slices.Equal(got, []string{filepath.Base(dir) + " DV203"}) {
			t.Errorf("--enable DV203,DV100: findings %v", got)
		}
		code, _, stderr := runCLI(t, "", "lint", "--offline", "--ignore", "DV001,nope", df)
		if code != 2 || !strings.Contains(stderr, `unknown rule "nope"`) {
			t.Errorf("unknown rule in a list: exit %d\n%s", code, stderr)
		}
	})
	t.Run("explain suggests", func(t *testing.T) {
		code, _, stderr := runCLI(t, "", "explain", "latest")
		if code != 2 || !strings.Contains(stderr, "did you mean DV200 latest-tag?") {
			t.Errorf("explain latest: exit %d\n%s", code, stderr)
		}
	})
	t.Run("--build-arg NAME unset", func(t *testing.T) {
		t.Setenv("DOCKVET_TEST_TAG", "")
		os.Unsetenv("DOCKVET_TEST_TAG")
		argDf := filepath.Join(dir, "arg.Dockerfile")
		writeTree(t, dir, map[string]string{"arg.Dockerfile": "ARG DOCKVET_TEST_TAG=3.20\nFROM alpine:${DOCKVET_TEST_TAG}\n"})
		code, got, stderr := lintJSON(t, "--offline", "--ignore", "DV001,DV302", "--build-arg", "DOCKVET_TEST_TAG", argDf)
		if code != 0 || len(got) != 0 {
			t.Errorf("unset: exit %d, findings %v; want the ARG's default 3.20\n%s", code, got, stderr)
		}
		t.Setenv("DOCKVET_TEST_TAG", "latest")
		_, got, _ = lintJSON(t, "--offline", "--ignore", "DV001,DV302", "--build-arg", "DOCKVET_TEST_TAG", argDf)
		if !slices.Equal(got, []string{filepath.Base(dir) + " DV200"}) {
			t.Errorf("set to latest: findings %v, want DV200", got)
		}
	})
	t.Run("explicit directory without Dockerfile", func(t *testing.T) {
		empty := filepath.Join(dir, "empty")
		code, _, stderr := runCLI(t, "", "lint", "--offline", empty)
		if code != 2 || !strings.Contains(stderr, "no Dockerfile found under "+empty) {
			t.Errorf("exit %d, want 2 naming the directory\n%s", code, stderr)
		}
	})
}

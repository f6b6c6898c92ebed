package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/rules"
)

func TestRepoPath(t *testing.T) {
	tmp := t.TempDir()
	// A checkout inside a workspace whose own name reads as a CI
	// directory, and a directory tree with no repository at all.
	repo := filepath.Join(tmp, "ci", "my-api-ci")
	for _, d := range []string{filepath.Join(repo, ".git"), filepath.Join(repo, "app"), filepath.Join(tmp, "loose", "tests")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	inRepo := filepath.Join(repo, "app", "Dockerfile")
	loose := filepath.Join(tmp, "loose", "tests", "Dockerfile")
	tests := []struct{ name, path, want string }{
		{"app/ci/Dockerfile", "app/ci/Dockerfile", "app/ci/Dockerfile"}, // relative, inside the working directory: as given
		{inRepo, inRepo, "app/Dockerfile"},                              // absolute: below the repository root
		{loose, loose, "Dockerfile"},                                    // no repository: the file's own name
		{"-", "", "-"},                                                  // stdin
		{"../x/Dockerfile", filepath.Join(repo, "app", "Dockerfile"), "app/Dockerfile"}, // leaves the working directory
	}
	var rp repoPaths
	for _, tt := range tests {
		if got := rp.RepoPath(tt.name, tt.path); got != tt.want {
			t.Errorf("RepoPath(%q, %q) = %q, want %q", tt.name, tt.path, got, tt.want)
		}
	}
}

// DV413 judges the path below the repository: the same file linted by an
// absolute path inside a workspace named api-ci gives the same finding as
// linted from the repository root.
func TestDirectoriesAboveTheRepositoryNeverSilenceARule(t *testing.T) {
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "work", "api-ci", "api-ci")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := []byte("FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev && rm -rf /var/lib/apt/lists/*\nCMD [\"gunicorn\", \"app:app\"]\n")
	path := filepath.Join(repo, "Dockerfile")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := New([]*rule.Rule{rules.BuildToolsInFinalImage}, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []Input{{Name: path, Src: src, Path: path}, {Name: "Dockerfile", Src: src, Path: path}} {
		fs, _, err := e.LintFile(in, dockerfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || fs[0].RuleID != "DV413" {
			t.Errorf("%s: findings %v, want one DV413", in.Name, fs)
		}
	}
}

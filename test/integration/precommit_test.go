//go:build integration

package integration

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPreCommitHooks runs the real pre-commit (Debian's package, installed
// by setup.sh) with this repository's .pre-commit-hooks.yaml against a
// scratch repository: a bad Dockerfile blocks the commit, a good one
// passes, and a Dockerfile.dockerignore is never handed to dockvet. Both
// hooks are exercised: dockvet-system (the dockvet on PATH) and dockvet
// (language golang: pre-commit runs `go install ./...` in its clone of the
// hook repository with the system Go). The hook repository is a scratch
// clone of this checkout's files, so nothing is fetched but Go modules
// through the module proxy (and those come from the warm module cache).
func TestPreCommitHooks(t *testing.T) {
	preCommit, err := exec.LookPath("pre-commit")
	if err != nil {
		if os.Getenv(requiredEnv) != "" {
			t.Fatalf("pre-commit is not installed (test/integration/setup.sh installs it): %v", err)
		}
		t.Skip("!!! pre-commit not installed — run test/integration/setup.sh")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	hookRepo, rev := scratchClone(t, root)

	// The dockvet the system hook finds on PATH.
	binDir := t.TempDir()
	if out, err := exec.Command(goBin, "build", "-o", filepath.Join(binDir, "dockvet"), "github.com/dockvet/dockvet/cmd/dockvet").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	for _, tc := range []struct {
		hook string
		path string // PATH of the pre-commit runs
	}{
		{"dockvet-system", binDir + ":" + filepath.Dir(goBin) + ":/usr/local/bin:/usr/bin:/bin"},
		{"dockvet", filepath.Dir(goBin) + ":/usr/local/bin:/usr/bin:/bin"}, // no dockvet on PATH: the hook builds its own
	} {
		t.Run(tc.hook, func(t *testing.T) {
			home := t.TempDir()
			env := []string{
				"PATH=" + tc.path,
				"HOME=" + home,
				"PRE_COMMIT_HOME=" + filepath.Join(home, "pre-commit"), // cold: the hook is installed anew
				"DOCKVET_OFFLINE=1",
				"DOCKVET_CACHE_DIR=" + filepath.Join(home, "dockvet-cache"),
				"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
				"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid",
				"GIT_CONFIG_NOSYSTEM=1", "NO_COLOR=1", "LANG=C.UTF-8",
			}
			for _, v := range []string{"GOMODCACHE", "GOCACHE", "GOPROXY", "GOFLAGS", "GONOSUMDB", "GOSUMDB", "GOTOOLCHAIN"} {
				out, err := exec.Command(goBin, "env", v).Output()
				if err == nil && strings.TrimSpace(string(out)) != "" {
					env = append(env, v+"="+strings.TrimSpace(string(out)))
				}
			}
			repo := t.TempDir()
			git := func(args ...string) string {
				t.Helper()
				cmd := exec.Command("git", args...)
				cmd.Dir, cmd.Env = repo, env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return string(out)
			}
			git("init", "-q", "-b", "main")
			write(t, repo, ".pre-commit-config.yaml", fmt.Sprintf("repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: %s\n", hookRepo, rev, tc.hook))
			git("add", ".pre-commit-config.yaml")
			git("commit", "-q", "-m", "config")

			start := time.Now()
			install := exec.Command(preCommit, "install-hooks")
			install.Dir, install.Env = repo, env
			if out, err := install.CombinedOutput(); err != nil {
				t.Fatalf("pre-commit install-hooks: %v\n%s", err, out)
			}
			t.Logf("cold install of hook %s: %v", tc.hook, time.Since(start).Round(100*time.Millisecond))
			install = exec.Command(preCommit, "install")
			install.Dir, install.Env = repo, env
			if out, err := install.CombinedOutput(); err != nil {
				t.Fatalf("pre-commit install: %v\n%s", err, out)
			}

			commit := func(msg string) (string, error) {
				cmd := exec.Command("git", "commit", "-m", msg)
				cmd.Dir, cmd.Env = repo, env
				out, err := cmd.CombinedOutput()
				return string(out), err
			}

			// A Dockerfile.dockerignore that is not a Dockerfile: linted, it
			// would be a DV000 syntax error and block the commit.
			write(t, repo, "Dockerfile.dockerignore", "node_modules\n*.log\n")
			git("add", "Dockerfile.dockerignore")
			if out, err := commit("ignore file"); err != nil {
				t.Fatalf("a commit of Dockerfile.dockerignore alone was blocked:\n%s", out)
			} else if !strings.Contains(out, "no files to check") {
				t.Errorf("the hook should have had no files to check:\n%s", out)
			}

			// A good Dockerfile passes.
			write(t, repo, "good/Dockerfile", "FROM alpine:3.20\nUSER 65532\nCMD [\"sleep\", \"1\"]\n")
			git("add", "good/Dockerfile")
			if out, err := commit("good"); err != nil {
				t.Fatalf("a clean Dockerfile was blocked:\n%s", out)
			} else if !strings.Contains(out, "Passed") {
				t.Errorf("the hook did not run on good/Dockerfile:\n%s", out)
			}

			// A bad one blocks the commit, with dockvet's finding.
			write(t, repo, "api/Dockerfile", "FROM alpine:3.20\nUSER 65532\nVOLUME /data\n")
			git("add", "api/Dockerfile")
			out, err := commit("bad")
			if err == nil {
				t.Fatalf("a Dockerfile with a VOLUME was committed:\n%s", out)
			}
			if !strings.Contains(out, "Failed") || !strings.Contains(out, "api/Dockerfile:3:8") || !strings.Contains(out, "DV100") {
				t.Errorf("the blocked commit does not show dockvet's finding:\n%s", out)
			}
			if log := git("log", "--format=%s"); strings.Contains(log, "bad") {
				t.Errorf("the bad commit landed:\n%s", log)
			}
		})
	}
}

// scratchClone copies the files git tracks in root (as they are in the
// work tree, so uncommitted hook changes are tested) into a new repository
// with one commit, and returns its path and commit: pre-commit's `repo:`
// and `rev:`.
func scratchClone(t *testing.T, root string) (string, string) {
	t.Helper()
	list, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dst := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		fi, err := os.Lstat(src)
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the work tree, or not a file
		}
		if err := copyRegular(src, filepath.Join(dst, name), fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid", "GIT_CONFIG_NOSYSTEM=1")
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "scratch clone"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dst, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	rev, err := exec.Command("git", "-C", dst, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return dst, strings.TrimSpace(string(rev))
}

func copyRegular(src, dst string, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

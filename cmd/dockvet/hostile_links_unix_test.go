//go:build unix

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/discover"
	"github.com/dockvet/dockvet/internal/safefile"
)

// TestLinkToGitConfigIsNotRead: actions/checkout (persist-credentials) and
// GitLab runners keep the job's token in .git/config; a Dockerfile-named
// link to it inside the walked tree must be skipped with a warning, not
// printed through DV000 source lines.
func TestLinkToGitConfigIsNotRead(t *testing.T) {
	const token = "c2VjcmV0LXRva2VuLXZhbHVl"
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic " + token + "\n"
	if err := os.WriteFile(filepath.Join(repo, ".git", "config"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".git/config", filepath.Join(repo, "Dockerfile")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "app.Dockerfile"), []byte("FROM alpine:3.20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "gnu", "json", "github"} {
		code, stdout, stderr := runCLI(t, "", "lint", "--offline", "-f", format, "--fail-on", "none", repo)
		if strings.Contains(stdout+stderr, token) {
			t.Errorf("%s: the token in .git/config was printed:\n%s%s", format, stdout, stderr)
		}
		want := "dockvet: warning: skipping " + filepath.Join(repo, "Dockerfile") + ": symbolic link into .git: not followed\n"
		if code != 0 || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q; want 0 and %q", format, code, stderr, want)
		}
	}
}

// TestExplicitLinkOutsideIsNotRead: "dockvet lint services/*" with
// services/evil -> / must not walk the runner's file system, and
// "dockvet lint Dockerfile.ci" (a changed file) linked to
// ~/.docker/config.json must not print the auth: exit 2, an error naming the
// link, nothing read.
func TestExplicitLinkOutsideIsNotRead(t *testing.T) {
	const secret = "ZG9ja2VyLWF1dGgtc2VjcmV0"
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "config.json"), []byte(`{"auths":{"x":{"auth":"`+secret+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "Dockerfile"), []byte("FROM "+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	for link, target := range map[string]string{
		"services/evil": home,
		"Dockerfile.ci": filepath.Join(home, "config.json"),
	} {
		p := filepath.Join(repo, link)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(repo) // runCLI's tests run from the module root; this one from the repository
	for _, arg := range []string{"services/evil", "Dockerfile.ci", "services/evil/Dockerfile"} {
		code, stdout, stderr := runCLI(t, "", "lint", "--fail-on", "none", arg)
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("%s: the target was read:\n%s%s", arg, stdout, stderr)
		}
		if code != 2 || !strings.Contains(stderr, arg+" ") || !strings.Contains(stderr, "symbolic link to a path outside the working directory: not followed; name the target itself") {
			t.Errorf("%s: exit %d, want 2 and an error naming the link\n%s%s", arg, code, stdout, stderr)
		}
	}
}

// TestWorkflowCommandsInNamesReachNoLog: GitHub's runner honours the legacy
// "##[command]" form anywhere in a line (and "::command::" at its start), so
// a file or directory name under review must reach neither stdout nor the
// skip warnings on stderr in a form the runner would execute.
func TestWorkflowCommandsInNamesReachNoLog(t *testing.T) {
	repo := t.TempDir()
	for _, dir := range []string{"##[stop-commands]tok", "::stop-commands::tok"} {
		if err := os.MkdirAll(filepath.Join(repo, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		// skipped with a warning that names the link
		if err := os.Symlink("/etc/hostname", filepath.Join(repo, dir, "Dockerfile")); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, dir, "app.Dockerfile"), []byte("FROM ubuntu:latest\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "Dockerfile.##[remove-matcher owner=dockvet]x"), []byte("FROM ubuntu:latest\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo) // relative names: "::stop-commands::tok/app.Dockerfile" opens a gnu line
	for _, format := range []string{"text", "gnu", "github"} {
		_, stdout, stderr := runCLI(t, "", "lint", "--offline", "-f", format, "--fail-on", "none", ".")
		if !strings.Contains(stderr, "warning: skipping") {
			t.Errorf("%s: no skip warning:\n%s", format, stderr)
		}
		for _, line := range strings.Split(stdout+stderr, "\n") {
			trimmed := strings.TrimSpace(line)
			if format == "github" && (strings.HasPrefix(trimmed, "::warning ") || strings.HasPrefix(trimmed, "::error ") || strings.HasPrefix(trimmed, "::notice ")) {
				continue // dockvet's own command: the runner parses it as one before trying the legacy form
			}
			if strings.Contains(line, "##[") || strings.HasPrefix(trimmed, "::") {
				t.Errorf("%s: a workflow command reaches the log: %q", format, line)
			}
		}
	}
}

// TestLinkSwappedAfterDiscoveryIsNotRead: discovery checks where a link
// leads, the reader opens it later; a link re-pointed in between (at
// .git/config, say) must be refused, not read. The reader compares the
// device and inode it opened with those discovery examined.
func TestLinkSwappedAfterDiscoveryIsNotRead(t *testing.T) {
	repo := t.TempDir()
	for name, content := range map[string]string{
		"docker/Dockerfile.prod": "FROM alpine:3.20\n",
		".git/config":            "extraheader = AUTHORIZATION: basic c2VjcmV0\n",
	} {
		p := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(repo, "Dockerfile")
	if err := os.Symlink("docker/Dockerfile.prod", link); err != nil {
		t.Fatal(err)
	}
	found := discover.Files([]string{repo}, "")
	if len(found.Files) != 2 {
		t.Fatalf("discovered %v, want the link and its target", found.Files)
	}
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".git/config", link); err != nil {
		t.Fatal(err)
	}
	e := &env{stdin: strings.NewReader("")}
	inputs, errs := e.readInputs(found.Files, true)
	var changed *safefile.ChangedError
	if len(errs) != 1 || !errors.As(errs[0], &changed) {
		t.Errorf("errors = %v, want one ChangedError for the swapped link", errs)
	}
	for _, in := range inputs {
		if strings.Contains(string(in.Src), "c2VjcmV0") {
			t.Errorf("%s: read the swapped-in .git/config", in.Name)
		}
	}
}

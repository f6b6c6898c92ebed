//go:build unix

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestLintHostileRepository: CI lints pull requests from strangers, so a
// repository may plant Dockerfile-named links to the job's secrets, FIFOs
// that would hang the run, and file names that forge findings in the log.
func TestLintHostileRepository(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses /proc/self/environ")
	}
	t.Setenv("DOCKVET_TEST_SECRET", "s3cr3t-token-value")
	outside := t.TempDir()
	secrets := filepath.Join(outside, "secrets.env")
	if err := os.WriteFile(secrets, []byte("AWS_SECRET=s3cr3t-token-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	forgedName := "x\nDockerfile:1:1: error: forged finding [DV999]\n.Dockerfile"
	for name, content := range map[string]string{
		"Dockerfile": "FROM alpine:3.20\n",
		forgedName:   "FROM ubuntu:latest\n",
	} {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"proc.Dockerfile": "/proc/self/environ",
		"env.Dockerfile":  secrets,
		"zero.Dockerfile": "/dev/zero",
	} {
		if err := os.Symlink(target, filepath.Join(repo, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(repo, "fifo.Dockerfile"), 0o644); err != nil {
		t.Fatal(err)
	}
	forged := regexp.MustCompile(`(?m)^\s*Dockerfile:1:1: error: forged`)

	for _, format := range []string{"text", "gnu", "json"} {
		code, stdout, stderr := runCLI(t, "", "lint", "-f", format, "--fail-on", "none", repo)
		all := stdout + stderr
		if strings.Contains(all, "s3cr3t") {
			t.Errorf("%s: a secret leaked:\n%s", format, all)
		}
		if format != "json" && forged.MatchString(all) {
			t.Errorf("%s: a forged finding line:\n%s", format, all)
		}
		if code != 0 {
			t.Errorf("%s: exit %d, want 0 (skipped links warn, they do not fail the run)\n%s", format, code, stderr)
		}
		for _, link := range []string{"proc.Dockerfile", "env.Dockerfile", "zero.Dockerfile", "fifo.Dockerfile"} {
			if !strings.Contains(stderr, "warning: skipping "+filepath.Join(repo, link)+": ") {
				t.Errorf("%s: no warning for %s:\n%s", format, link, stderr)
			}
		}
		if !strings.Contains(stdout, "latest") {
			t.Errorf("%s: the oddly named Dockerfile was not linted:\n%s", format, stdout)
		}
	}

	// Named explicitly (a shell glob, a CI job's list of changed files), a
	// link is followed only inside the working directory: a link out of it
	// is refused with exit 2 and an error naming the link. A FIFO named
	// explicitly is refused as not a regular file, without blocking.
	for _, name := range []string{"env.Dockerfile", "proc.Dockerfile", "zero.Dockerfile"} {
		code, stdout, stderr := runCLI(t, "", "lint", filepath.Join(repo, name))
		if code != 2 || !strings.Contains(stderr, name+" is a symbolic link to a path outside the working directory: not followed") || strings.Contains(stdout+stderr, "s3cr3t") {
			t.Errorf("explicit %s: exit %d, want 2 and an error naming the link\n%s%s", name, code, stdout, stderr)
		}
	}
	code, stdout, stderr := runCLI(t, "", "lint", filepath.Join(repo, "fifo.Dockerfile"))
	if code != 2 || !strings.Contains(stderr, "is not a regular file") {
		t.Errorf("explicit FIFO: exit %d, want 2 and a clear error\n%s%s", code, stdout, stderr)
	}
}

// TestHostileConfig: a .dockvet.yaml that is a FIFO or a link to /dev/zero
// is refused with exit 2 (it used to hang, or grow to gigabytes).
func TestHostileConfig(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.yaml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []string{fifo, zero} {
		code, _, stderr := runCLI(t, "", "lint", "--config", cfg, "examples/good/Dockerfile")
		if code != 2 || !strings.Contains(stderr, "is not a regular file") {
			t.Errorf("--config %s: exit %d\n%s", filepath.Base(cfg), code, stderr)
		}
	}
}

// TestHostileNamesInErrors: an error about a file prints its name escaped,
// on the one stderr line that belongs to it.
func TestHostileNamesInErrors(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "cfg\nDockerfile:1:1: error: forged")
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "", "lint", "--config", name, "examples/good/Dockerfile")
	if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, `cfg\nDockerfile:1:1`) {
		t.Errorf("exit %d, stderr %q; want one line with the name escaped", code, stderr)
	}
}

//go:build unix

package buildctx

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// within runs fn and fails the test binary when it has not returned after
// d: a regression that blocks on a FIFO or reads /dev/zero without bound
// must fail, not hang the suite or exhaust memory.
func within(t *testing.T, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		panic(t.Name() + ": did not return within " + d.String() + ": it blocks or reads without bound")
	}
}

// TestIgnoreFileNotRegular: an ignore file that is a FIFO, a device or a
// link to one is refused at once with an error naming it, instead of
// blocking forever or reading without end.
func TestIgnoreFileNotRegular(t *testing.T) {
	tests := []struct {
		name       string
		dockerfile string                                // "" for stdin
		make       func(t *testing.T, dir string) string // the ignore file
	}{
		{"fifo", "", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, ".dockerignore")
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatalf("mkfifo: %v", err)
			}
			return p
		}},
		{"fifo beside the Dockerfile", "Dockerfile", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "Dockerfile.dockerignore")
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatalf("mkfifo: %v", err)
			}
			return p
		}},
		{"link to a fifo", "", func(t *testing.T, dir string) string {
			fifo := filepath.Join(dir, "pipe.dockerignore")
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Fatalf("mkfifo: %v", err)
			}
			p := filepath.Join(dir, ".dockerignore")
			if err := os.Symlink(fifo, p); err != nil {
				t.Fatal(err)
			}
			return p
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tree(t, dir, "Dockerfile", "app/main.go")
			ignore := tc.make(t, dir)
			dockerfile := ""
			if tc.dockerfile != "" {
				dockerfile = filepath.Join(dir, tc.dockerfile)
			}
			if got := IgnoreFile(dir, dockerfile); got != ignore {
				t.Fatalf("IgnoreFile = %q, want %q", got, ignore)
			}
			var err error
			within(t, 10*time.Second, func() { _, err = Open(dir, dockerfile) })
			if err == nil || !strings.Contains(err.Error(), ignore+" is not a regular file") {
				t.Fatalf("Open: %v, want %q is not a regular file", err, ignore)
			}
		})
	}
}

// TestIgnoreFileLinks: a .dockerignore link in a repository under review is
// followed only to an ignore file inside the context; a link to /dev/zero,
// to a secret outside or to .git/config inside is an error that names the
// link and never quotes the target.
func TestIgnoreFileLinks(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "x.dockerignore")
	if err := os.WriteFile(secret, []byte("AWS_SECRET=hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		target string // relative to the context, or absolute
		want   string // the error after "<link> ", "" for none
	}{
		{name: "ignore file inside", target: "docker/app.dockerignore"},
		{name: "dev-zero", target: "/dev/zero", want: "is a symbolic link to a file outside the build context: not read"},
		{name: "ignore-named secret outside", target: secret, want: "is a symbolic link to a file outside the build context: not read"},
		{name: "git config inside", target: ".git/config", want: "is a symbolic link to a file not named .dockerignore or *.dockerignore: not read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tree(t, dir, "Dockerfile", "app/main.go", ".git/config", "docker/app.dockerignore")
			link := filepath.Join(dir, ".dockerignore")
			if err := os.Symlink(tc.target, link); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir, filepath.Join(dir, "Dockerfile"))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Open: %v", err)
			case tc.want != "" && (err == nil || err.Error() != link+" "+tc.want):
				t.Fatalf("Open: %v, want %q", err, link+" "+tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), outside)) {
				t.Errorf("the error quotes the target: %v", err)
			}
		})
	}
}

//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// A FIFO with no writer would block a plain open forever; the test would
// then hang instead of failing, which is what it guards against.
func TestFIFOIsRefusedWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	link := filepath.Join(dir, ".dockvet.yaml")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, link} {
		_, err := ReadFile(p, 1<<20)
		var nr *NotRegularError
		if !errors.As(err, &nr) || !strings.Contains(nr.What, "FIFO") {
			t.Errorf("ReadFile(%s) err = %v, want a NotRegularError naming a FIFO", p, err)
		}
		if f, _, err := Open(p); err == nil {
			f.Close()
			t.Errorf("Open(%s) succeeded on a FIFO", p)
		}
	}
}

// /proc/self/environ stats as an empty regular file, yet reading it yields
// the environment: every secret of a CI job.
func TestProcFileIsRefused(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/self/environ is Linux's")
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "Dockerfile")
	if err := os.Symlink("/proc/self/environ", link); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKVET_TEST_SECRET", "hunter2")
	data, err := ReadFile(link, 1<<20)
	var nr *NotRegularError
	if !errors.As(err, &nr) {
		t.Errorf("ReadFile(/proc/self/environ) = %q, %v; want a NotRegularError", data, err)
	}
	if f, _, err := Open(link); err == nil {
		f.Close()
		t.Error("Open(/proc/self/environ) succeeded")
	}
}

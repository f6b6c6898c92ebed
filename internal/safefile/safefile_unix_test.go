//go:build unix

package safefile

import (
	"errors"
	"net"
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

// TestSpecialFilesAreRefusedBeforeOpening: opening a device has effects
// (/dev/watchdog arms, a tape rewinds, /dev/tty fails with ENXIO outside a
// terminal), so a non-regular file must be refused from a stat, unopened. A
// socket shows it whoever runs the test: open(2) on one fails with ENXIO, so
// a NotRegularError proves the open never happened.
func TestSpecialFilesAreRefusedBeforeOpening(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "s")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("unix socket: %v", err)
	}
	defer l.Close()
	link := filepath.Join(dir, "Dockerfile")
	if err := os.Symlink(sock, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{sock, link} {
		_, err := ReadFile(p, 1<<20)
		var nr *NotRegularError
		if !errors.As(err, &nr) || nr.What != "a socket" {
			t.Errorf("ReadFile(%s) err = %v, want a NotRegularError naming a socket", filepath.Base(p), err)
		}
	}
}

// TestSwappedFileIsRefused: a file examined earlier (discovery) and replaced
// before it is read is refused, not read: the reader checks the device and
// inode it opened against what was examined.
func TestSwappedFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	examined := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(examined, []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(examined)
	if err != nil {
		t.Fatal(err)
	}
	id := IDOf(fi)
	if !id.Known() {
		t.Fatal("IDOf gives no device and inode on a unix system")
	}
	if data, err := ReadFileSame(examined, 1<<20, id); err != nil || string(data) != "FROM scratch\n" {
		t.Fatalf("unchanged file: %q, %v", data, err)
	}
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("TOKEN=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(examined); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, examined); err != nil {
		t.Fatal(err)
	}
	data, err := ReadFileSame(examined, 1<<20, id)
	var ce *ChangedError
	if !errors.As(err, &ce) || ce.Path != examined || len(data) != 0 {
		t.Errorf("swapped file: %q, %v; want a ChangedError and nothing read", data, err)
	}
	if _, _, err := OpenSame(examined, id); !errors.As(err, &ce) {
		t.Errorf("OpenSame on a swapped file: %v, want a ChangedError", err)
	}
}

//go:build unix

package discover

import (
	"path/filepath"
	"syscall"
	"testing"
)

func TestFIFOIsSkipped(t *testing.T) {
	root := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(root, "Dockerfile"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got, errs := Files([]string{root}, "")
	if len(got) != 0 || len(errs) != 0 {
		t.Errorf("Files = %v, %v; want nothing (a pipe would block the reader)", got, errs)
	}
}

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
		t.Fatalf("mkfifo: %v", err)
	}
	res := Files([]string{root}, "")
	if len(res.Files) != 0 || len(res.Skipped) != 1 {
		t.Errorf("Files = %+v; want the FIFO skipped (a pipe would block the reader)", res)
	}
}

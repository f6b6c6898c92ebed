//go:build unix

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dockvet/dockvet/internal/safefile"
)

// A config in a repository under review is hostile input: before Load was
// bounded, a link to /dev/zero grew to gigabytes and a FIFO hung forever.
func TestLoadRefusesHostileFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	zero := filepath.Join(dir, "zero.yaml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.yaml")
	if err := os.WriteFile(huge, []byte("# "+strings.Repeat("x", MaxFileSize)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path    string
		tooBig  bool
		notFile bool
	}{
		{path: fifo, notFile: true},
		{path: zero, notFile: true},
		{path: huge, tooBig: true},
	} {
		_, err := Load(tt.path)
		var nr *safefile.NotRegularError
		var tl *safefile.TooLargeError
		if tt.notFile && !errors.As(err, &nr) || tt.tooBig && !errors.As(err, &tl) {
			t.Errorf("Load(%s) err = %v", filepath.Base(tt.path), err)
		}
	}
}

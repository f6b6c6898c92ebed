//go:build unix

package discover

import (
	"os"
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

// TestRegularMeansExamined: Regular lets the reader skip its own stat before
// opening (safefile.ReadExamined), so it must be set only for what discovery
// saw as a regular file, with its identity, and never for a FIFO named on
// the command line (the reader must refuse that one unopened).
func TestRegularMeansExamined(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"Dockerfile", "sub/app.Dockerfile"} {
		if err := os.WriteFile(filepath.Join(root, p), []byte("FROM scratch\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("app.Dockerfile", filepath.Join(root, "sub/Dockerfile")); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(root, "Dockerfile.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	tests := []struct {
		name    string
		arg     string
		regular bool
	}{
		{name: "explicit regular file", arg: filepath.Join(root, "Dockerfile"), regular: true},
		{name: "explicit FIFO", arg: fifo, regular: false},
		{name: "walked regular file and link to one", arg: filepath.Join(root, "sub"), regular: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Files([]string{tt.arg}, "")
			if len(res.Files) == 0 {
				t.Fatalf("Files(%s) = %+v, want files", tt.arg, res)
			}
			for _, f := range res.Files {
				if f.Regular != tt.regular || f.Regular && !f.ID.Known() {
					t.Errorf("%s: Regular = %v, ID known = %v; want Regular %v with its ID", f.Path, f.Regular, f.ID.Known(), tt.regular)
				}
			}
		})
	}
}

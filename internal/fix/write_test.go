//go:build unix

package fix

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/dockvet/dockvet/internal/safefile"
)

const (
	origText  = "FROM a\nCMD x\n"
	fixedText = "FROM a\nCMD [\"x\"]\n"
)

func idOf(t *testing.T, path string) safefile.FileID {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return safefile.IDOf(fi)
}

func TestWriteFileKeepsModeAndLinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "Dockerfile.real")
	if err := os.WriteFile(target, []byte(origText), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "Dockerfile")
	if err := os.Symlink("Dockerfile.real", link); err != nil {
		t.Fatal(err)
	}
	if err := (Writer{}).WriteFile(link, idOf(t, link), []byte(origText), []byte(fixedText)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(target); string(got) != fixedText {
		t.Errorf("target holds %q", got)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	assertNoTemp(t, dir, 2)
}

func TestWriteFileRefusesAndKeepsTheOriginal(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(t *testing.T, path string) safefile.FileID // returns the id "read"
		writer Writer
	}{
		{
			name: "read-only file",
			setup: func(t *testing.T, path string) safefile.FileID {
				if err := os.Chmod(path, 0o444); err != nil {
					t.Fatal(err)
				}
				return idOf(t, path)
			},
		},
		{
			name: "file changed since it was read",
			setup: func(t *testing.T, path string) safefile.FileID {
				id := idOf(t, path)
				if err := os.WriteFile(path, []byte(origText+"# edited\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return id
			},
		},
		{
			name: "file replaced by another with the same text",
			setup: func(t *testing.T, path string) safefile.FileID {
				id := idOf(t, path)
				other := path + ".new"
				if err := os.WriteFile(other, []byte(origText), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(other, path); err != nil {
					t.Fatal(err)
				}
				return id
			},
		},
		{
			name:   "writer fails (disk full)",
			setup:  idOf,
			writer: Writer{Wrap: func(io.Writer) io.Writer { return failingWriter{} }},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "Dockerfile")
			if err := os.WriteFile(path, []byte(origText), 0o644); err != nil {
				t.Fatal(err)
			}
			id := tt.setup(t, path)
			before, _ := os.ReadFile(path)
			err := tt.writer.WriteFile(path, id, []byte(origText), []byte(fixedText))
			if err == nil {
				t.Fatal("no error")
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Errorf("the file changed: %q", after)
			}
			assertNoTemp(t, dir, 1)
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// assertNoTemp checks that dir holds n entries: no temporary file was left.
func assertNoTemp(t *testing.T, dir string, n int) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != n {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v", names)
	}
}

func TestWriteFileKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file away")
	}
	path := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(path, []byte(origText), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	if err := (Writer{}).WriteFile(path, idOf(t, path), []byte(origText), []byte(fixedText)); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 1234 || st.Gid != 5678 {
		t.Errorf("owner %d:%d, want 1234:5678", st.Uid, st.Gid)
	}
}

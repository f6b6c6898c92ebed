//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadExamined: a file examined earlier is read whole, and every refusal
// ReadFileSame makes still happens, with the same error: too large, swapped
// since it was examined, gone, a kernel pseudo-file.
func TestReadExamined(t *testing.T) {
	dir := t.TempDir()
	idOf := func(path string) FileID {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return IDOf(fi)
	}
	small := writeFile(t, dir, "small", "FROM scratch\n")
	empty := writeFile(t, dir, "empty", "")
	exact := writeFile(t, dir, "exact", strings.Repeat("x", 16))
	big := writeFile(t, dir, "big", strings.Repeat("x", 17))
	link := filepath.Join(dir, "link")
	if err := os.Symlink("small", link); err != nil {
		t.Fatal(err)
	}
	swapped := writeFile(t, dir, "swapped", "FROM scratch\n")
	swappedID := idOf(swapped)
	// Renamed, not removed: the new file must not get the old inode.
	if err := os.Rename(swapped, swapped+".old"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "swapped", "TOKEN=x\n")
	gone := writeFile(t, dir, "gone", "FROM scratch\n")
	goneID := idOf(gone)
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		path    string
		id      FileID
		want    string
		check   func(error) bool
		wantErr string
	}{
		{name: "regular file", path: small, id: idOf(small), want: "FROM scratch\n"},
		{name: "empty file", path: empty, id: idOf(empty), want: ""},
		{name: "exactly the limit", path: exact, id: idOf(exact), want: strings.Repeat("x", 16)},
		{name: "link to a regular file", path: link, id: idOf(link), want: "FROM scratch\n"},
		{name: "unknown identity reads as ReadFileSame", path: small, want: "FROM scratch\n"},
		{name: "one byte over the limit", path: big, id: idOf(big),
			check: func(err error) bool { var e *TooLargeError; return errors.As(err, &e) }, wantErr: big + " is larger than 16 bytes"},
		{name: "replaced since examined", path: swapped, id: swappedID,
			check: func(err error) bool { var e *ChangedError; return errors.As(err, &e) }, wantErr: swapped + " changed while it was being opened: not read"},
		{name: "removed since examined", path: gone, id: goneID,
			check: func(err error) bool { return errors.Is(err, fs.ErrNotExist) }, wantErr: "stat " + gone + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadExamined(tt.path, 16, tt.id)
			if tt.check == nil {
				if err != nil || got == nil || string(got) != tt.want {
					t.Errorf("ReadExamined = %q (nil: %v), %v; want %q", got, got == nil, err, tt.want)
				}
				return
			}
			if !tt.check(err) || err.Error() != tt.wantErr || got != nil {
				t.Errorf("ReadExamined = %q, %v; want nothing and %q", got, err, tt.wantErr)
			}
			_, sameErr := ReadFileSame(tt.path, 16, tt.id)
			if sameErr == nil || sameErr.Error() != err.Error() {
				t.Errorf("ReadExamined err %v, ReadFileSame err %v: want the same", err, sameErr)
			}
		})
	}
}

// TestReadExaminedRefusesProcFiles: a file on /proc stats as an empty
// regular file, so even one examined as regular must be refused.
func TestReadExaminedRefusesProcFiles(t *testing.T) {
	const p = "/proc/self/environ"
	fi, err := os.Stat(p)
	if err != nil {
		t.Skipf("no %s here: %v", p, err)
	}
	regular := writeFile(t, t.TempDir(), "Dockerfile", "FROM scratch\n")
	rfi, err := os.Stat(regular)
	if err != nil {
		t.Fatal(err)
	}
	// Twice: the second time each file system's kind is remembered.
	for range 2 {
		if data, err := ReadExamined(regular, 1<<20, IDOf(rfi)); err != nil || string(data) != "FROM scratch\n" {
			t.Errorf("ReadExamined(%s) = %q, %v", regular, data, err)
		}
		data, err := ReadExamined(p, 1<<20, IDOf(fi))
		var nr *NotRegularError
		if !errors.As(err, &nr) || len(data) != 0 {
			t.Errorf("ReadExamined(%s) = %d bytes, %v; want a NotRegularError", p, len(data), err)
		}
	}
}

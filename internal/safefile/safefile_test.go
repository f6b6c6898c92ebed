package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small := writeFile(t, dir, "small", "FROM scratch\n")
	exact := writeFile(t, dir, "exact", strings.Repeat("x", 16))
	big := writeFile(t, dir, "big", strings.Repeat("x", 17))
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		path    string
		want    string
		tooBig  bool
		notReg  string // substring of NotRegularError.What
		missing bool
	}{
		{name: "regular file", path: small, want: "FROM scratch\n"},
		{name: "exactly the limit", path: exact, want: strings.Repeat("x", 16)},
		{name: "one byte over the limit", path: big, tooBig: true},
		{name: "symlink to a regular file", path: link("ok", small), want: "FROM scratch\n"},
		{name: "directory", path: filepath.Join(dir, "sub"), notReg: "directory"},
		{name: "symlink to /dev/zero", path: link("zero", "/dev/zero"), notReg: "device"},
		{name: "missing", path: filepath.Join(dir, "nope"), missing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadFile(tt.path, 16)
			var tl *TooLargeError
			var nr *NotRegularError
			switch {
			case tt.tooBig:
				if !errors.As(err, &tl) || tl.Limit != 16 || tl.Path != tt.path {
					t.Errorf("err = %v, want a TooLargeError for %s", err, tt.path)
				}
			case tt.notReg != "":
				if !errors.As(err, &nr) || !strings.Contains(nr.What, tt.notReg) {
					t.Errorf("err = %v, want a NotRegularError (%s)", err, tt.notReg)
				}
			case tt.missing:
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("err = %v, want fs.ErrNotExist", err)
				}
			default:
				if err != nil || string(got) != tt.want {
					t.Errorf("ReadFile = %q, %v; want %q", got, err, tt.want)
				}
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&TooLargeError{Path: "a", Limit: 16 << 20}, "a is larger than 16 MiB"},
		{&TooLargeError{Path: "a", Limit: 4 << 10}, "a is larger than 4 KiB"},
		{&TooLargeError{Path: "a", Limit: 100}, "a is larger than 100 bytes"},
		{&NotRegularError{Path: "p", What: "a named pipe (FIFO)"}, "p is not a regular file (it is a named pipe (FIFO))"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

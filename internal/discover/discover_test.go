package discover

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestIsDockerfileName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"Dockerfile", true},
		{"Containerfile", true},
		{"Dockerfile.dev", true},
		{"Dockerfile.prod.arm64", true},
		{"Containerfile.test", true},
		{"api.Dockerfile", true},
		{"api.dockerfile", true},
		{"api.Containerfile", true},
		{"api.containerfile", true},
		{"Dockerfile.dockerignore", false},
		{"api.Dockerfile.dockerignore", false},
		{"Containerfile.containerignore", false},
		{".dockerignore", false},
		{"dockerfile", false},
		{"Dockerfiles", false},
		{"MyDockerfile", false},
		{"Dockerfile-dev", false},
		{"docker-compose.yml", false},
		{"README.md", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsDockerfileName(tt.name); got != tt.want {
			t.Errorf("IsDockerfileName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// tree builds a file tree under root: names ending in "/" are directories,
// "name -> target" is a symbolic link, anything else an empty file.
func tree(t *testing.T, root string, entries ...string) {
	t.Helper()
	for _, e := range entries {
		p := filepath.Join(root, e)
		var err error
		switch {
		case strings.Contains(e, " -> "):
			name, target, _ := strings.Cut(e, " -> ")
			p = filepath.Join(root, name)
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
				err = os.Symlink(target, p)
			}
		case strings.HasSuffix(e, "/"):
			err = os.MkdirAll(p, 0o755)
		default:
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
				err = os.WriteFile(p, []byte("FROM scratch\n"), 0o644)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestFiles(t *testing.T) {
	root := t.TempDir()
	tree(t, root,
		"Dockerfile",
		"Dockerfile.dev",
		"Dockerfile.dockerignore",
		"README.md",
		"api/api.Dockerfile",
		"api/Containerfile",
		"api/v2/Dockerfile",
		"api.Dockerfile",
		"web/Containerfile.ci",
		"web/node_modules/pkg/Dockerfile",
		"vendor/lib/Dockerfile",
		".git/Dockerfile",
		".devcontainer/Dockerfile",
		"odd/build.txt",
		"odd/Dockerfile.d/Dockerfile", // a directory whose name matches
		"empty/",
		"loop/self -> ..",    // symlinked directories are not followed
		"loop/again -> self", // nor chains of them
		"links/Dockerfile -> ../odd/build.txt",
		"links/broken.Dockerfile -> nowhere",
		"links/dir.Dockerfile -> ../api",
	)
	t.Chdir(root)

	tests := []struct {
		name  string
		args  []string
		stdin string
		files []File
		errs  []string // Error.Path of each error, in order
	}{
		{
			name: "whole tree",
			args: []string{"."},
			files: files(
				".devcontainer/Dockerfile",
				"Dockerfile",
				"Dockerfile.dev",
				"api.Dockerfile",
				"api/Containerfile",
				"api/api.Dockerfile",
				"api/v2/Dockerfile",
				"links/Dockerfile",
				"odd/Dockerfile.d/Dockerfile",
				"web/Containerfile.ci",
			),
			errs: []string{"links/broken.Dockerfile"},
		},
		{
			name:  "no arguments means the current directory",
			args:  nil,
			files: nil, // checked by length below
		},
		{
			name:  "relative directory keeps its spelling",
			args:  []string{"./api/"},
			files: files("api/Containerfile", "api/api.Dockerfile", "api/v2/Dockerfile"),
		},
		{
			name:  "explicit odd names are linted whatever their name",
			args:  []string{"odd/build.txt", "README.md", "./Dockerfile"},
			files: files("odd/build.txt", "README.md", "./Dockerfile"),
		},
		{
			name:  "explicitly named skipped directory is walked",
			args:  []string{"vendor"},
			files: files("vendor/lib/Dockerfile"),
		},
		{
			name:  "argument order kept, duplicates removed",
			args:  []string{"web", "api/v2", "api", "api/v2/Dockerfile", "./web/Containerfile.ci"},
			files: files("web/Containerfile.ci", "api/v2/Dockerfile", "api/Containerfile", "api/api.Dockerfile"),
		},
		{
			name:  "symlink loop directory given explicitly",
			args:  []string{"loop/self/api"},
			files: files("loop/self/api/Containerfile", "loop/self/api/api.Dockerfile", "loop/self/api/v2/Dockerfile"),
		},
		{
			name:  "missing path is an error and the rest goes on",
			args:  []string{"missing/Dockerfile", "api/v2", "gone"},
			files: files("api/v2/Dockerfile"),
			errs:  []string{"missing/Dockerfile", "gone"},
		},
		{
			name:  "stdin",
			args:  []string{"-", "Dockerfile", "-"},
			files: []File{{Path: "-", Stdin: true}, {Path: "Dockerfile"}},
		},
		{
			name:  "stdin with a name",
			args:  []string{"-"},
			stdin: "app/Dockerfile",
			files: []File{{Path: "app/Dockerfile", Stdin: true}},
		},
		{
			name: "directory without Dockerfiles",
			args: []string{"empty"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := Files(tt.args, tt.stdin)
			if tt.args == nil {
				all, _ := Files([]string{"."}, "")
				if !reflect.DeepEqual(got, all) {
					t.Errorf("Files(nil) = %v, want the same as Files(.) = %v", got, all)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.files) {
				t.Errorf("Files(%q) files =\n  %v\nwant\n  %v", tt.args, got, tt.files)
			}
			var gotErrs []string
			for _, err := range errs {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error %v is %T, want *Error", err, err)
				}
				gotErrs = append(gotErrs, e.Path)
			}
			if !reflect.DeepEqual(gotErrs, tt.errs) {
				t.Errorf("Files(%q) errors = %v, want paths %v", tt.args, errs, tt.errs)
			}
		})
	}
}

func TestFilesAbsolute(t *testing.T) {
	root := t.TempDir()
	tree(t, root, "a/Dockerfile")
	got, errs := Files([]string{root}, "")
	want := []File{{Path: filepath.Join(root, "a", "Dockerfile")}}
	if len(errs) > 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("Files(%s) = %v, %v; want %v", root, got, errs, want)
	}
}

func TestMissingError(t *testing.T) {
	_, errs := Files([]string{filepath.Join("no", "such", "Dockerfile")}, "")
	if len(errs) != 1 {
		t.Fatalf("got %d errors, want 1", len(errs))
	}
	err := errs[0]
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not unwrap to fs.ErrNotExist", err)
	}
	want := "stat " + filepath.Join("no", "such", "Dockerfile") + ": no such file or directory"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q (path named once)", err.Error(), want)
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Path: "x", Err: errors.New("boom")}
	if e.Error() != "x: boom" {
		t.Errorf("Error() = %q", e.Error())
	}
	if !errors.Is(e, e.Err) {
		t.Error("Unwrap does not expose Err")
	}
}

func TestUnreadableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can read any directory")
	}
	root := t.TempDir()
	tree(t, root, "a/Dockerfile", "locked/Dockerfile", "z/Dockerfile")
	locked := filepath.Join(root, "locked")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })

	got, errs := Files([]string{root}, "")
	want := []File{{Path: filepath.Join(root, "a", "Dockerfile")}, {Path: filepath.Join(root, "z", "Dockerfile")}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	if len(errs) != 1 || !errors.Is(errs[0], fs.ErrPermission) {
		t.Errorf("errors = %v, want one permission error", errs)
	}
}

func files(paths ...string) []File {
	var out []File
	for _, p := range paths {
		out = append(out, File{Path: filepath.FromSlash(p)})
	}
	return out
}

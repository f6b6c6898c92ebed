package discover

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/safefile"
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
		{"dockerfile", true},
		{"DOCKERFILE", true},
		{"containerfile", true},
		{"Dockerfile-dev", true},
		{"Dockerfile_prod", true},
		{"Dockerfile-dev.dockerignore", false},
		{"Dockerfile_prod.dockerignore", false},
		{"app.Containerfile", true},
		{"Dockerfile.", false},
		{"Dockerfile-", false},
		{"Dockerfiles", false},
		{"MyDockerfile", false},
		{"Containerfile-dev", false},
		{"dockerfile.dev", false},
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
		"lower/dockerfile",
		"lower/Dockerfile-dev",
		"lower/Dockerfile_prod",
		"lower/Dockerfile_prod.dockerignore",
		"lower/app.Containerfile",
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
				// not links/Dockerfile: its target's name, build.txt,
				// is not a Dockerfile's
				"lower/Dockerfile-dev",
				"lower/Dockerfile_prod",
				"lower/app.Containerfile",
				"lower/dockerfile",
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
			name:  "explicit directory without Dockerfiles is an error",
			args:  []string{"empty", "api/v2"},
			files: files("api/v2/Dockerfile"),
			errs:  []string{"empty"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Files(tt.args, tt.stdin)
			got, errs := withoutIDs(res.Files), res.Errors
			if tt.args == nil {
				all := withoutIDs(Files([]string{"."}, "").Files)
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
				var nd *NoDockerfileError
				switch {
				case errors.As(err, &e):
					gotErrs = append(gotErrs, e.Path)
				case errors.As(err, &nd):
					gotErrs = append(gotErrs, nd.Dir)
				default:
					t.Fatalf("error %v is %T, want *Error or *NoDockerfileError", err, err)
				}
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
	res := Files([]string{root}, "")
	got, errs := withoutIDs(res.Files), res.Errors
	want := []File{{Path: filepath.Join(root, "a", "Dockerfile")}}
	if len(errs) > 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("Files(%s) = %v, %v; want %v", root, got, errs, want)
	}
}

func TestMissingError(t *testing.T) {
	errs := Files([]string{filepath.Join("no", "such", "Dockerfile")}, "").Errors
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

// TestUnreadableDirectory injects the failure, so that it also runs as root
// (as CI does), which reads any directory whatever its permissions.
func TestUnreadableDirectory(t *testing.T) {
	root := t.TempDir()
	tree(t, root, "a/Dockerfile", "locked/Dockerfile", "z/Dockerfile")
	locked := filepath.Join(root, "locked")
	readDir := func(dir string) ([]fs.DirEntry, error) {
		if dir == locked {
			return nil, &fs.PathError{Op: "open", Path: dir, Err: fs.ErrPermission}
		}
		return os.ReadDir(dir)
	}

	res := find([]string{root}, "", readDir)
	want := []File{{Path: filepath.Join(root, "a", "Dockerfile")}, {Path: filepath.Join(root, "z", "Dockerfile")}}
	if got := withoutIDs(res.Files); !reflect.DeepEqual(got, want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	if len(res.Errors) != 1 || !errors.Is(res.Errors[0], fs.ErrPermission) {
		t.Errorf("errors = %v, want one permission error", res.Errors)
	}
}

// TestHostileSymlinks: a repository under review may hold Dockerfile-named
// links to secrets (/proc/self/environ, ~/.docker/config.json, a KEY=VALUE
// file next door). Links are followed only to regular files inside the
// linted directory; the others are skipped with a warning that names the
// link, never the target's content.
func TestHostileSymlinks(t *testing.T) {
	outside := t.TempDir()
	tree(t, outside, "secrets.env", "config.json")
	root := t.TempDir()
	tree(t, root,
		"repo/Dockerfile",
		"repo/inside.Dockerfile -> Dockerfile",
		"repo/sub/Dockerfile -> ../Dockerfile",
		"repo/proc.Dockerfile -> /proc/self/environ",
		"repo/dev.Dockerfile -> /dev/null",
		"repo/env.Dockerfile -> "+filepath.Join(outside, "secrets.env"),
		"repo/up.Dockerfile -> ../outside.txt",
		"outside.txt",
		"repo/docker/Dockerfile -> "+filepath.Join(outside, "config.json"),
		"link-to-repo -> repo",
	)
	tests := []struct {
		name    string
		arg     string
		files   []string
		skipped []string
	}{
		{
			name:    "repository",
			arg:     "repo",
			files:   []string{"repo/Dockerfile", "repo/inside.Dockerfile", "repo/sub/Dockerfile"},
			skipped: []string{"repo/dev.Dockerfile", "repo/docker/Dockerfile", "repo/env.Dockerfile", "repo/proc.Dockerfile", "repo/up.Dockerfile"},
		},
		{
			name:    "the root itself reached through a link",
			arg:     "link-to-repo",
			files:   []string{"link-to-repo/Dockerfile", "link-to-repo/inside.Dockerfile", "link-to-repo/sub/Dockerfile"},
			skipped: []string{"link-to-repo/dev.Dockerfile", "link-to-repo/docker/Dockerfile", "link-to-repo/env.Dockerfile", "link-to-repo/proc.Dockerfile", "link-to-repo/up.Dockerfile"},
		},
		{
			name:    "the same directory twice warns once",
			arg:     "repo repo",
			files:   []string{"repo/Dockerfile", "repo/inside.Dockerfile", "repo/sub/Dockerfile"},
			skipped: []string{"repo/dev.Dockerfile", "repo/docker/Dockerfile", "repo/env.Dockerfile", "repo/proc.Dockerfile", "repo/up.Dockerfile"},
		},
		{
			// Inside the walked tree, but outside.txt is not named like a
			// Dockerfile: a link to it could be one to any file of the tree.
			name:    "the parent holds the target of ../outside.txt",
			arg:     ".",
			files:   []string{"repo/Dockerfile", "repo/inside.Dockerfile", "repo/sub/Dockerfile"},
			skipped: []string{"repo/dev.Dockerfile", "repo/docker/Dockerfile", "repo/env.Dockerfile", "repo/proc.Dockerfile", "repo/up.Dockerfile"},
		},
	}
	t.Chdir(root)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Files(strings.Fields(tt.arg), "")
			if len(res.Errors) > 0 {
				t.Errorf("errors: %v", res.Errors)
			}
			var got, skipped []string
			for _, f := range res.Files {
				got = append(got, filepath.ToSlash(f.Path))
			}
			for _, s := range res.Skipped {
				skipped = append(skipped, filepath.ToSlash(s.Path))
				if strings.Contains(s.Reason, outside) || strings.Contains(s.Reason, "/proc") {
					t.Errorf("skip reason %q names the target", s.Reason)
				}
			}
			slices.Sort(skipped)
			if !reflect.DeepEqual(got, tt.files) {
				t.Errorf("files = %v, want %v", got, tt.files)
			}
			if !reflect.DeepEqual(skipped, tt.skipped) {
				t.Errorf("skipped = %v, want %v", skipped, tt.skipped)
			}
		})
	}
}

func files(paths ...string) []File {
	var out []File
	for _, p := range paths {
		out = append(out, File{Path: filepath.FromSlash(p)})
	}
	return out
}

// withoutIDs is files with the device and inode numbers cleared, for
// comparing paths with a table.
func withoutIDs(files []File) []File {
	out := slices.Clone(files)
	for i := range out {
		out[i].ID, out[i].Regular = safefile.FileID{}, false
	}
	return out
}

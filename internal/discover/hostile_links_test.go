package discover

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestWalkedLinksStayOnDockerfiles: inside the walked tree, a Dockerfile-named
// link is followed only to a file that is itself named like a Dockerfile and
// not in .git, node_modules or vendor. actions/checkout keeps the job's token
// in .git/config, and the text format prints what it reads as source lines.
func TestWalkedLinksStayOnDockerfiles(t *testing.T) {
	root := t.TempDir()
	tree(t, root,
		"repo/.git/config",
		"repo/.git/Dockerfile",
		"repo/node_modules/pkg/Dockerfile",
		"repo/docker/Dockerfile.prod",
		"repo/gha-creds-1234.json",
		"repo/Dockerfile -> .git/config",
		"repo/hooks.Dockerfile -> .git/Dockerfile",
		"repo/pkg.Dockerfile -> node_modules/pkg/Dockerfile",
		"repo/creds.Dockerfile -> gha-creds-1234.json",
		"repo/prod.Dockerfile -> docker/Dockerfile.prod",
		"repo/loop-a.Dockerfile -> loop-b.Dockerfile",
		"repo/loop-b.Dockerfile -> loop-a.Dockerfile",
		"repo/sub/up -> ..",
		"repo/sub/Dockerfile.up -> ..",
	)
	t.Chdir(root)
	res := Files([]string{"repo"}, "")

	var files []string
	for _, f := range res.Files {
		files = append(files, filepath.ToSlash(f.Path))
	}
	wantFiles := []string{"repo/docker/Dockerfile.prod", "repo/prod.Dockerfile"}
	if !reflect.DeepEqual(files, wantFiles) {
		t.Errorf("files = %v, want %v", files, wantFiles)
	}

	reasons := map[string]string{}
	for _, s := range res.Skipped {
		reasons[filepath.ToSlash(s.Path)] = s.Reason
	}
	for path, want := range map[string]string{
		"repo/Dockerfile":       "symbolic link into .git: not followed",
		"repo/hooks.Dockerfile": "symbolic link into .git: not followed",
		"repo/pkg.Dockerfile":   "symbolic link into node_modules: not followed",
		"repo/creds.Dockerfile": "symbolic link to a file whose name is not a Dockerfile's: not followed",
	} {
		if reasons[path] != want {
			t.Errorf("%s: skip reason %q, want %q", path, reasons[path], want)
		}
	}
	if len(res.Skipped) != 4 {
		t.Errorf("skipped = %v, want the 4 above", res.Skipped)
	}

	// A link loop is an error naming the link (and never hangs); so is
	// nothing else here: the directory link to the parent is not followed.
	var errPaths []string
	for _, err := range res.Errors {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v is %T, want *Error", err, err)
		}
		errPaths = append(errPaths, filepath.ToSlash(e.Path))
	}
	slices.Sort(errPaths)
	if want := []string{"repo/loop-a.Dockerfile", "repo/loop-b.Dockerfile"}; !reflect.DeepEqual(errPaths, want) {
		t.Errorf("errors = %v, want %v", res.Errors, want)
	}
}

// TestExplicitLinks: a path on the command line may come from a shell glob
// (services/*) or a CI job's list of changed files, so it is as hostile as
// the repository: a link there is followed only inside the working
// directory, never into .git, and for a file only to a Dockerfile-named one.
// A plain path is the user's choice wherever it is.
func TestExplicitLinks(t *testing.T) {
	// services/evil/../api/Dockerfile is services/api/Dockerfile to the
	// eye, but the kernel resolves the link first: outsideParent/api.
	outsideParent := t.TempDir()
	outside := filepath.Join(outsideParent, "o")
	tree(t, outsideParent, "o/Dockerfile", "o/config.json", "api/Dockerfile")
	wd := t.TempDir()
	tree(t, wd,
		"Dockerfile",
		"docker/Dockerfile.prod",
		".git/config",
		"services/api/Dockerfile",
		"services/evil -> "+outside,
		"services/self -> api",
		"Dockerfile.ci -> "+filepath.Join(outside, "config.json"),
		"Dockerfile.outside -> "+filepath.Join(outside, "Dockerfile"),
		"Dockerfile.git -> .git/config",
		"Dockerfile.prod -> docker/Dockerfile.prod",
		"Dockerfile.conf -> .git/../services/api/../../docker/../build.conf",
		"build.conf",
		"gitdir -> .git",
	)
	t.Chdir(wd)
	tests := []struct {
		arg      string
		files    []string
		linkErr  string // the whole message of a *LinkError
		otherErr bool
	}{
		{arg: "services/evil", linkErr: "services/evil is a symbolic link to a path outside the working directory: not followed; name the target itself"},
		{arg: "services/evil/Dockerfile", linkErr: "services/evil/Dockerfile goes through a symbolic link to a path outside the working directory: not followed; name the target itself"},
		{arg: "services/evil/../api/Dockerfile", linkErr: "services/evil/../api/Dockerfile goes through a symbolic link to a path outside the working directory: not followed; name the target itself"},
		{arg: "Dockerfile.ci", linkErr: "Dockerfile.ci is a symbolic link to a path outside the working directory: not followed; name the target itself"},
		{arg: "Dockerfile.outside", linkErr: "Dockerfile.outside is a symbolic link to a path outside the working directory: not followed; name the target itself"},
		{arg: "Dockerfile.git", linkErr: "Dockerfile.git is a symbolic link into .git: not followed; name the target itself"},
		{arg: "gitdir", linkErr: "gitdir is a symbolic link into .git: not followed; name the target itself"},
		{arg: "Dockerfile.conf", linkErr: "Dockerfile.conf is a symbolic link to a file whose name is not a Dockerfile's: not followed; name the target itself"},
		{arg: "Dockerfile.prod", files: []string{"Dockerfile.prod"}},
		{arg: "services/self", files: []string{"services/self/Dockerfile"}},
		{arg: "services/self/Dockerfile", files: []string{"services/self/Dockerfile"}},
		{arg: filepath.Join(wd, "services", "evil"), linkErr: filepath.Join(wd, "services", "evil") + " is a symbolic link to a path outside the working directory: not followed; name the target itself"},
		// Plain paths outside the working directory are the user's choice.
		{arg: outside, files: []string{filepath.Join(outside, "Dockerfile")}},
		{arg: filepath.Join(outside, "config.json"), files: []string{filepath.Join(outside, "config.json")}},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			res := Files([]string{tt.arg}, "")
			var files []string
			for _, f := range res.Files {
				files = append(files, filepath.ToSlash(f.Path))
			}
			want := tt.files
			for i := range want {
				want[i] = filepath.ToSlash(want[i])
			}
			if !reflect.DeepEqual(files, want) {
				t.Errorf("files = %v, want %v", files, want)
			}
			switch {
			case tt.linkErr != "":
				var le *LinkError
				if len(res.Errors) != 1 || !errors.As(res.Errors[0], &le) || le.Error() != tt.linkErr {
					t.Errorf("errors = %v, want one LinkError %q", res.Errors, tt.linkErr)
				}
				if len(res.Errors) == 1 && strings.Contains(res.Errors[0].Error(), outside) {
					t.Errorf("the error names the link's target: %v", res.Errors[0])
				}
			case len(res.Errors) > 0:
				t.Errorf("errors = %v, want none", res.Errors)
			}
		})
	}
}

// TestExplicitLinksShareDirectories: the directory of a command-line path is
// resolved once for all the paths in it (examineExplicit), so many paths
// of one run, some through links and some not, must each still get their
// own verdict.
func TestExplicitLinksShareDirectories(t *testing.T) {
	outside := t.TempDir()
	tree(t, outside, "Dockerfile")
	wd := t.TempDir()
	tree(t, wd,
		"services/api/Dockerfile",
		"services/api/Dockerfile.dev",
		"services/evil -> "+outside,
		"services/self -> api",
		"Dockerfile",
	)
	t.Chdir(wd)
	res := Files([]string{
		"services/api/Dockerfile", "services/evil/Dockerfile", "services/self/Dockerfile",
		"services/api/Dockerfile.dev", "./services/evil/Dockerfile", "Dockerfile", "services/self/Dockerfile.dev",
	}, "")
	var files []string
	for _, f := range res.Files {
		files = append(files, filepath.ToSlash(f.Path))
	}
	want := []string{"services/api/Dockerfile", "services/self/Dockerfile", "services/api/Dockerfile.dev", "Dockerfile", "services/self/Dockerfile.dev"}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("files = %v, want %v", files, want)
	}
	var got []string
	for _, err := range res.Errors {
		var le *LinkError
		if !errors.As(err, &le) || !le.Through {
			t.Errorf("error %v, want a LinkError through a link", err)
			continue
		}
		got = append(got, filepath.ToSlash(le.Path))
	}
	if wantErrs := []string{"services/evil/Dockerfile", "./services/evil/Dockerfile"}; !reflect.DeepEqual(got, wantErrs) {
		t.Errorf("link errors for %v, want %v", got, wantErrs)
	}
}

// TestPlainPath: which command-line paths examineExplicit may resolve
// through their directory: a ".." may only lead the path.
func TestPlainPath(t *testing.T) {
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"Dockerfile", true},
		{"services/api/Dockerfile", true},
		{"./services/api/Dockerfile", true},
		{"../shared/corpus/a/Dockerfile", true},
		{"../../repo/Dockerfile", true},
		{"./../repo/Dockerfile", true},
		{"services/evil/../api/Dockerfile", false},
		{"../repo/evil/../Dockerfile", false},
		{"services/api/", false},
		{"", false},
	} {
		if got := plainPath(tt.path); got != tt.want && runtime.GOOS != "windows" {
			t.Errorf("plainPath(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// TestExamineExplicitMatchesLongWay: for paths that lead with "..", through
// links or not, examineExplicit gives what a stat and checkExplicitLink
// give.
func TestExamineExplicitMatchesLongWay(t *testing.T) {
	// work/evil/../work/x is outsideParent/work/x to the kernel and
	// work/work/x to the eye: both exist, so a fast way that cancelled the
	// two elements would answer for the wrong file.
	outsideParent := t.TempDir()
	outside := filepath.Join(outsideParent, "o")
	tree(t, outsideParent, "o/Dockerfile", "o/config.json", "work/x")
	root := t.TempDir()
	tree(t, root,
		"repo/work/work/x",
		"repo/services/api/Dockerfile",
		"repo/services/evil -> "+outside,
		"repo/services/self -> api",
		"repo/Dockerfile.ci -> "+filepath.Join(outside, "config.json"),
		"repo/Dockerfile.api -> services/api/Dockerfile",
		"repo/work/x",
		"repo/work/evil -> "+outside,
	)
	t.Chdir(filepath.Join(root, "repo", "work"))
	wd := sync.OnceValue(getWorkDir)
	dirs := resolvedDirs{}
	for _, arg := range []string{
		"../services/api/Dockerfile",
		"../services/evil/Dockerfile",
		"../services/self/Dockerfile",
		"../Dockerfile.ci",
		"../Dockerfile.api",
		"../services/missing/Dockerfile",
		"./../services/api/Dockerfile",
		"../../repo/services/evil/Dockerfile",
		"../work/evil/Dockerfile", // below the working directory, through a link
		"../work/evil/../work/x",
	} {
		fast, fastErr := examineExplicit(arg, wd, dirs)
		long, longErr := os.Stat(arg)
		if longErr != nil {
			longErr = &Error{Path: arg, Err: longErr}
		} else if longErr = checkExplicitLink(arg, long.IsDir(), wd); longErr != nil {
			long = nil
		}
		if fmt.Sprint(fastErr) != fmt.Sprint(longErr) {
			t.Errorf("%s: error %v, the long way %v", arg, fastErr, longErr)
		}
		if fastErr == nil && (fast == nil || long == nil || fast.IsDir() != long.IsDir()) {
			t.Errorf("%s: info %v, the long way %v", arg, fast, long)
		}
	}
}

// TestLinkedWorkingDirectory: when the working directory is reached through
// a link ($PWD names the link, as after `cd` into a linked directory, or
// /tmp on macOS), a plain file and "." are linted, and a path through a
// link out of the tree is refused in every spelling. getwd gives $PWD,
// while the kernel resolves relative paths from the directory itself: the
// checks read paths against the latter.
func TestLinkedWorkingDirectory(t *testing.T) {
	outside := t.TempDir()
	tree(t, outside, "config.json")
	root := t.TempDir()
	tree(t, root,
		"repo/work/Dockerfile",
		"repo/work/evil -> "+outside,
		"L -> repo/work",
	)
	linked := filepath.Join(root, "L")
	t.Chdir(linked)
	t.Setenv("PWD", linked)
	if wd, err := os.Getwd(); err != nil || wd != linked {
		t.Skipf("getwd gives %q, %v: not the link, nothing to test", wd, err)
	}
	real := filepath.Join(root, "repo", "work")
	for _, tt := range []struct {
		arg     string
		files   []string
		refused bool
	}{
		{arg: "Dockerfile", files: []string{"Dockerfile"}},
		{arg: ".", files: []string{"Dockerfile"}},
		{arg: "../work/Dockerfile", files: []string{"../work/Dockerfile"}},
		{arg: filepath.Join(linked, "Dockerfile"), files: []string{filepath.Join(linked, "Dockerfile")}},
		{arg: filepath.Join(real, "Dockerfile"), files: []string{filepath.Join(real, "Dockerfile")}},
		{arg: "evil/config.json", refused: true},
		{arg: "../work/evil/config.json", refused: true},
		{arg: filepath.Join(linked, "evil", "config.json"), refused: true},
		{arg: filepath.Join(real, "evil", "config.json"), refused: true},
	} {
		t.Run(tt.arg, func(t *testing.T) {
			res := Files([]string{tt.arg}, "")
			var files []string
			for _, f := range res.Files {
				files = append(files, f.Path)
			}
			if !reflect.DeepEqual(files, tt.files) {
				t.Errorf("files = %v, want %v", files, tt.files)
			}
			var le *LinkError
			refused := len(res.Errors) == 1 && errors.As(res.Errors[0], &le)
			if refused != tt.refused || (!tt.refused && len(res.Errors) > 0) {
				t.Errorf("errors = %v, want a LinkError: %v", res.Errors, tt.refused)
			}
		})
	}
}

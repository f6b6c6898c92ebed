package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFinder: a Finder answers as Find and FindHadolint do, for every start
// directory and in any order, and examines a path once: a config removed
// after the first lookup is still what it saw.
func TestFinder(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root, "repo/.git", "repo/a/b/c", "repo/d/e", "bare/.git", "bare/f", "plain/x", "hl/.git", "hl/g/h")
	touch(t, root, ".dockvet.yaml", "repo/.dockvet.yml", "repo/a/.dockvet.yaml", "hl/.hadolint.yaml")
	starts := []string{"repo/a/b/c", "repo/a", "repo/d/e", "repo", "bare/f", "plain/x", "hl/g/h", "repo/a/b", "hl"}
	fd := NewFinder()
	for _, start := range starts {
		dir := filepath.Join(root, start)
		for _, find := range []struct {
			name           string
			cached, direct func(string) (string, error)
		}{
			{"Find", fd.Find, Find},
			{"FindHadolint", fd.FindHadolint, FindHadolint},
		} {
			got, err := find.cached(dir)
			want, wantErr := find.direct(dir)
			if got != want || (err == nil) != (wantErr == nil) {
				t.Errorf("%s(%s): Finder %q, %v; uncached %q, %v", find.name, start, got, err, want, wantErr)
			}
		}
	}
	if err := os.Remove(filepath.Join(root, "repo/a/.dockvet.yaml")); err != nil {
		t.Fatal(err)
	}
	if got, _ := fd.Find(filepath.Join(root, "repo/a/b/c")); got != filepath.Join(root, "repo/a/.dockvet.yaml") {
		t.Errorf("after the removal, the Finder examined repo/a again: %q", got)
	}
	if got, _ := Find(filepath.Join(root, "repo/a/b/c")); got != filepath.Join(root, "repo/.dockvet.yml") {
		t.Errorf("uncached Find after the removal: %q", got)
	}
}

// TestFinderRelative: a relative start directory gives a relative path, as
// Find does, with the working directory read once.
func TestFinderRelative(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root, ".git", "a/b")
	touch(t, root, ".dockvet.yaml")
	t.Chdir(filepath.Join(root, "a"))
	fd := NewFinder()
	for _, dir := range []string{"b", ".", "b/.."} {
		got, err := fd.Find(dir)
		want, _ := Find(dir)
		if err != nil || got != want {
			t.Errorf("Find(%s): Finder %q, %v; uncached %q", dir, got, err, want)
		}
	}
}

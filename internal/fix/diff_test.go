package fix

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var diffCases = []struct{ name, old, new string }{
	{"one line", "FROM a\nCMD x\n", "FROM a\nCMD [\"x\"]\n"},
	{"two hunks far apart", "FROM a\n" + strings.Repeat("RUN x\n", 10) + "CMD x\n", "FROM b\n" + strings.Repeat("RUN x\n", 10) + "CMD [\"x\"]\n"},
	{"hunks that share context merge", "FROM a\nRUN 1\nRUN 2\nRUN 3\nCMD x\n", "FROM b\nRUN 1\nRUN 2\nRUN 3\nCMD y\n"},
	{"no newline at end of file", "FROM a\nCMD x", "FROM a\nCMD [\"x\"]"},
	{"newline added at end", "FROM a\nCMD x", "FROM a\nCMD x\n"},
	{"CRLF", "FROM a\r\nCMD x\r\n", "FROM a\r\nCMD [\"x\"]\r\n"},
	{"lines removed (a merged RUN)", "FROM a\nRUN apt-get update\nRUN apt-get install -y x\nCMD x\n", "FROM a\nRUN apt-get update && apt-get install -y x\nCMD x\n"},
	{"lines added", "FROM a\nRUN x\n", "FROM a\nRUN x \\\n && y\n"},
	{"first line replaced by two", "FROM a\nX\n", "FROM b\nFROM c\nX\n"},
	{"insertion at the start", "FROM a\n", "# x\nFROM a\n"},
	{"everything replaced", "a\nb\n", "c\n"},
	{"from empty", "", "FROM a\n"},
	{"to empty", "FROM a\n", ""},
	{"far apart in a long file", "FROM a\n" + strings.Repeat("RUN same\n", 5000) + "CMD x\n", "FROM b\n" + strings.Repeat("RUN same\n", 5000) + "CMD y\n"},
	{"BOM", "\xef\xbb\xbfFROM a\nCMD x\n", "\xef\xbb\xbfFROM a\nCMD [\"x\"]\n"},
}

// TestDiffApplies checks that `git apply` and `patch -p1` turn the old file
// into the new one with WriteDiff's output.
func TestDiffApplies(t *testing.T) {
	tools := map[string][]string{
		"git apply": {"git", "apply", "-"},
		"patch -p1": {"patch", "-p1", "--quiet", "--no-backup-if-mismatch"},
	}
	for tool, argv := range tools {
		if _, err := exec.LookPath(argv[0]); err != nil {
			t.Fatalf("%s is needed (apt-get install %s): %v", tool, argv[0], err)
		}
		for _, c := range diffCases {
			t.Run(tool+"/"+c.name, func(t *testing.T) {
				dir := t.TempDir()
				name := "sub/Dockerfile"
				path := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(c.old), 0o644); err != nil {
					t.Fatal(err)
				}
				var patch bytes.Buffer
				if err := WriteDiff(&patch, name, []byte(c.old), []byte(c.new)); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(argv[0], argv[1:]...)
				cmd.Dir = dir
				cmd.Stdin = bytes.NewReader(patch.Bytes())
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s: %v\n%s\npatch:\n%s", tool, err, out, patch.String())
				}
				got, _ := os.ReadFile(path)
				if string(got) != c.new {
					t.Errorf("%s made %q, want %q\npatch:\n%s", tool, got, c.new, patch.String())
				}
			})
		}
	}
}

func TestDiffGolden(t *testing.T) {
	var out bytes.Buffer
	for _, c := range diffCases {
		if err := WriteDiff(&out, "Dockerfile", []byte(c.old), []byte(c.new)); err != nil {
			t.Fatal(err)
		}
	}
	golden := filepath.Join("testdata", "diff.golden")
	if os.Getenv("DOCKVET_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("diff output changed (DOCKVET_UPDATE_GOLDEN=1 rewrites it):\n%s", out.String())
	}
}

func TestDiffOfEqualTextsIsEmpty(t *testing.T) {
	var out bytes.Buffer
	if err := WriteDiff(&out, "Dockerfile", []byte("FROM a\n"), []byte("FROM a\n")); err != nil || out.Len() != 0 {
		t.Errorf("got %q, %v", out.String(), err)
	}
}

package buildctx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// tree creates files in dir: a name ending in "/" is a directory, "name ->
// target" a symbolic link, "name=SIZE" a sparse file of SIZE bytes, and any
// other name a file holding its own name.
func tree(t testing.TB, dir string, entries ...string) {
	t.Helper()
	for _, e := range entries {
		if name, target, ok := strings.Cut(e, " -> "); ok {
			p := filepath.Join(dir, name)
			mkdirAll(t, filepath.Dir(p))
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if strings.HasSuffix(e, "/") {
			mkdirAll(t, filepath.Join(dir, e))
			continue
		}
		name, size, sized := strings.Cut(e, "=")
		p := filepath.Join(dir, name)
		mkdirAll(t, filepath.Dir(p))
		if !sized {
			if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var n int64
		if _, err := fmt.Sscan(size, &n); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(n); err != nil { // sparse: no blocks written
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func mkdirAll(t testing.TB, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func open(t testing.TB, dir string) *Context {
	t.Helper()
	c, err := Open(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sources(t testing.TB, c *Context, src string) *Sources {
	t.Helper()
	s, err := c.Sources(src, SourceOptions{})
	if err != nil {
		t.Fatalf("Sources(%q): %v", src, err)
	}
	return s
}

func paths(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s=%d", m.Display(), m.Size))
	}
	return out
}

const MiB = 1 << 20

func TestSources(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir,
		"Dockerfile=100",
		"go.mod=10", "go.sum=20",
		"models/a.bin=300000000", "models/b.bin=1000",
		"src/main.go=50", "src/util.go=25", "src/sub/x.go=5", "src/README=7",
		"empty/",
	)
	c := open(t, dir)
	tests := []struct {
		src   string
		total int64
		files int
		want  []string // matches
	}{
		{".", 300001217, 9, []string{".=300001217"}},
		{"./", 300001217, 9, []string{".=300001217"}},
		{"/", 300001217, 9, []string{".=300001217"}},
		{"go.mod", 10, 1, []string{"go.mod=10"}},
		{"models/", 300001000, 2, []string{"models/=300001000"}},
		{"models/.", 300001000, 2, []string{"models/=300001000"}},
		{"../go.sum", 20, 1, []string{"go.sum=20"}}, // BuildKit: path.Join("/", src)
		{"src/../go.sum", 20, 1, []string{"go.sum=20"}},
		{"go.*", 30, 2, []string{"go.mod=10", "go.sum=20"}},
		{"src/*.go", 75, 2, []string{"src/main.go=50", "src/util.go=25"}},
		{"*/*.go", 75, 2, []string{"src/main.go=50", "src/util.go=25"}},
		{"s?c", 87, 4, []string{"src/=87"}},
		{"nomatch*", 0, 0, nil},
		{"missing/*", 0, 0, nil},
		{"empty", 0, 0, []string{"empty/=0"}},
		{"go.[m]od", 10, 1, []string{"go.mod=10"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			s := sources(t, c, tt.src)
			if s.Total != tt.total || s.Files != tt.files || s.Incomplete {
				t.Errorf("total %d files %d incomplete %v, want %d %d false", s.Total, s.Files, s.Incomplete, tt.total, tt.files)
			}
			if got := paths(s.Matches); !slices.Equal(got, tt.want) {
				t.Errorf("matches %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := c.Sources("missing", SourceOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: err %v, want ErrNotExist", err)
	}
	if _, err := c.Sources("go.mod/x", SourceOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file as dir: err %v, want ErrNotExist", err)
	}
	if _, err := c.Sources("[", SourceOptions{}); !errors.Is(err, filepath.ErrBadPattern) {
		t.Errorf("bad pattern: err %v", err)
	}
}

func TestDockerignore(t *testing.T) {
	tests := []struct {
		name    string
		entries []string // "name:content" writes an ignore file
		src     string
		total   int64 // without the ignore files
		files   int
		sent    []string // ignore files that are in the context themselves
		ignore  string   // ignore file used
	}{
		{"ignored dir not counted", []string{".dockerignore:node_modules\n*.log\n", "node_modules/x/big=1000000", "app.js=10", "a.log=99", "sub/b.log=7"}, ".", 10 + 7, 2, []string{".dockerignore"}, ".dockerignore"},
		{"exception in an ignored dir", []string{".dockerignore:node_modules\n!node_modules/keep\n", "node_modules/x=1000", "node_modules/keep/k=5", "a=1"}, ".", 5 + 1, 2, []string{".dockerignore"}, ".dockerignore"},
		{"wildcard exception", []string{".dockerignore:*\n!*.go\n", "a.go=3", "b.txt=4", "d/c.go=5"}, ".", 3, 1, nil, ".dockerignore"},
		{"double star", []string{".dockerignore:**/*.pyc\n", "a.pyc=3", "x/y/b.pyc=4", "x/c.py=5"}, ".", 5, 1, []string{".dockerignore"}, ".dockerignore"},
		{"leading slash and comment", []string{".dockerignore:# comment\n/data\n", "data/x=100", "keep=1"}, ".", 1, 1, []string{".dockerignore"}, ".dockerignore"},
		{"Dockerfile.dockerignore wins", []string{".dockerignore:a\n", "Dockerfile.dockerignore:b\n", "a=1", "b=2"}, ".", 1, 1, []string{".dockerignore", "Dockerfile.dockerignore"}, "Dockerfile.dockerignore"},
		{"ignored Dockerfile and .dockerignore are not sent", []string{".dockerignore:Dockerfile\n.dockerignore\n", "Dockerfile=50", "a=1"}, ".", 1, 1, nil, ".dockerignore"},
		{"ignored source names nothing", []string{".dockerignore:secret\n", "secret/x=1"}, "secret/*", 0, 0, nil, ".dockerignore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			written := map[string]int{}
			for _, e := range tt.entries {
				if name, content, ok := strings.Cut(e, ":"); ok {
					if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
						t.Fatal(err)
					}
					written[name] = len(content)
					continue
				}
				tree(t, dir, e)
			}
			c := open(t, dir)
			if got := filepath.Base(c.IgnoreFileUsed()); got != tt.ignore {
				t.Errorf("ignore file %q, want %q", got, tt.ignore)
			}
			total, files := tt.total, tt.files
			for _, name := range tt.sent {
				total += int64(written[name])
				files++
			}
			s := sources(t, c, tt.src)
			if s.Total != total || s.Files != files {
				var all []string
				s.Walk(func(m Match) bool { all = append(all, fmt.Sprintf("%s=%d", m.Display(), m.Size)); return true })
				t.Errorf("total %d files %d, want %d %d; entries %v", s.Total, s.Files, total, files, all)
			}
		})
	}
}

func TestIgnoreFileForStdin(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir, "Dockerfile.dockerignore", ".dockerignore")
	if got := IgnoreFile(dir, ""); filepath.Base(got) != ".dockerignore" {
		t.Errorf("stdin: %q", got)
	}
	if got := IgnoreFile(dir, filepath.Join(dir, "Dockerfile")); filepath.Base(got) != "Dockerfile.dockerignore" {
		t.Errorf("Dockerfile: %q", got)
	}
	if got := IgnoreFile(t.TempDir(), ""); got != "" {
		t.Errorf("none: %q", got)
	}
}

func TestBadIgnorePattern(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("a[\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir, "")
	if err == nil || !strings.Contains(err.Error(), ".dockerignore") {
		t.Fatalf("err %v, want one naming .dockerignore", err)
	}
}

func TestSymlinks(t *testing.T) {
	outside := t.TempDir()
	tree(t, outside, "huge=300000000", "dir/f=1000")
	dir := t.TempDir()
	tree(t, dir,
		"loop -> loop",
		"ping -> pong", "pong -> ping",
		"up/back -> ..", // a directory cycle: never followed by the walk
		"out -> "+filepath.Join(outside, "huge"),
		"outdir -> "+filepath.Join(outside, "dir"),
		"data/model.bin=5000",
		"abs -> /data",
		"rel -> data/model.bin",
		"escape -> ../../../../data",
		"dangling -> nowhere",
	)
	c := open(t, dir)

	// The whole context counts each link as its own small size.
	s := sources(t, c, ".")
	var want int64 = 5000
	for _, l := range []string{"loop", "ping", "pong", "up/back", "out", "outdir", "abs", "rel", "escape", "dangling"} {
		fi, err := os.Lstat(filepath.Join(dir, l))
		if err != nil {
			t.Fatal(err)
		}
		want += fi.Size()
	}
	if s.Total != want {
		t.Errorf("whole context: %d, want %d (links not followed)", s.Total, want)
	}

	for _, tt := range []struct {
		src  string
		size int64
		err  error
	}{
		{"loop", 0, ErrLinkLoop},
		{"ping", 0, ErrLinkLoop},
		{"up/back/up/back/data", 5000, nil}, // resolvable, just long
		{"out", 0, fs.ErrNotExist},          // <context>/<outside path>: not there
		{"outdir", 0, fs.ErrNotExist},
		{"abs", 5000, nil},    // /data inside the context
		{"rel", 5000, nil},    // a file link is followed
		{"escape", 5000, nil}, // ../ stops at the context root
		{"dangling", 0, fs.ErrNotExist},
	} {
		done := make(chan struct{})
		var got *Sources
		var err error
		go func() {
			defer close(done)
			got, err = c.Sources(tt.src, SourceOptions{})
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: hangs", tt.src)
		}
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: err %v, want %v", tt.src, err, tt.err)
			}
			continue
		}
		if err != nil || got.Total != tt.size {
			t.Errorf("%s: total %v err %v, want %d", tt.src, got, err, tt.size)
		}
	}
	_, err := c.Sources("loop", SourceOptions{})
	if err == nil || !strings.Contains(err.Error(), "loop: too many levels of symbolic links") {
		t.Errorf("loop message: %v", err)
	}
}

// failingDirs makes some directories unreadable whatever the user: root
// ignores permission bits, so chmod 000 does not simulate this in CI.
func failingDirs(c *Context, fail map[string]error) {
	open := c.openDir
	c.openDir = func(name string) (dirReader, error) {
		rel, _ := filepath.Rel(c.dir, name)
		if err, ok := fail[filepath.ToSlash(rel)]; ok {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return open(name)
	}
}

func TestUnreadableDirectory(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir, "ok/a=10", "locked/b=1000", "ignored/c=5", ".dockerignore")
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("ignored\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := open(t, dir)
	failingDirs(c, map[string]error{"locked": fs.ErrPermission, "ignored": fs.ErrPermission})
	s := sources(t, c, ".")
	if s.Total != 10+8 || !s.Incomplete { // ok/a and .dockerignore
		t.Errorf("total %d incomplete %v, want 18 true", s.Total, s.Incomplete)
	}
	probs := c.Problems()
	want := "build context " + dir + ": cannot read locked: permission denied; its contents are not counted"
	if len(probs) != 1 || !strings.HasPrefix(probs[0], want) {
		t.Errorf("problems %q, want one starting %q", probs, want)
	}
	// Reported once however often it is asked.
	sources(t, c, "locked")
	sources(t, c, ".")
	if n := len(c.Problems()); n != 1 {
		t.Errorf("%d problems, want 1", n)
	}
}

func TestUnreadableDirectoryChmod(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permission bits do not stop reads; TestUnreadableDirectory covers this through an injected error")
	}
	dir := t.TempDir()
	tree(t, dir, "locked/b=1000", "a=1")
	if err := os.Chmod(filepath.Join(dir, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(filepath.Join(dir, "locked"), 0o755) })
	c := open(t, dir)
	s := sources(t, c, ".")
	if s.Total != 1 || !s.Incomplete || len(c.Problems()) != 1 {
		t.Errorf("total %d incomplete %v problems %q", s.Total, s.Incomplete, c.Problems())
	}
}

func TestEntryLimit(t *testing.T) {
	dir := t.TempDir()
	for i := range 30 {
		tree(t, dir, fmt.Sprintf("d%02d/f=1", i))
	}
	c, err := OpenOptions(dir, "", Options{MaxEntries: 10})
	if err != nil {
		t.Fatal(err)
	}
	s := sources(t, c, ".")
	if !s.Incomplete || s.Total >= 30 {
		t.Errorf("total %d incomplete %v, want a lower bound", s.Total, s.Incomplete)
	}
	if p := c.Problems(); len(p) != 1 || !strings.Contains(p[0], "stopped reading after 10 entries; sizes from it are lower bounds") {
		t.Errorf("problems %q", p)
	}
}

func TestLargest(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir,
		"Dockerfile=100",
		"src/models/a.bin=300000", "src/models/b.bin=200000", "src/models/c.bin=10",
		"src/x.go=20000",
		"docs/d=1000",
	)
	c := open(t, dir)
	// src/ holds 99.8% and src/models 96% of that: the paths point inside.
	if got, want := paths(sources(t, c, ".").Largest(3)), []string{"src/models/a.bin=300000", "src/models/b.bin=200000", "src/x.go=20000"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := paths(sources(t, c, "docs").Largest(3)), []string{"docs/d=1000"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// Balanced: the top-level entries.
	tree(t, dir, "src2/a=100", "src3/b=90")
	c = open(t, dir)
	if got, want := paths(Largest([]*Sources{sources(t, c, "src2"), sources(t, c, "src3"), sources(t, c, "Dockerfile")}, 3)), []string{"Dockerfile=100", "src2/a=100", "src3/b=90"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestUnder(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir, "data/db/x=100", "data/y=5", "app.db=7", "linked -> data")
	c := open(t, dir)
	root := sources(t, c, ".")
	for _, tt := range []struct {
		rel  string
		size int64
		ok   bool
	}{
		{"data", 105, true},
		{"data/db", 100, true},
		{"/data/db/", 100, true},
		{"app.db", 7, true},
		{"nothere", 0, false},
		{"linked/db", 0, false}, // a link in the image: the data is elsewhere
	} {
		m, ok := root.Under(tt.rel)
		if ok != tt.ok || m.Size != tt.size {
			t.Errorf("Under(%q) = %d %v, want %d %v", tt.rel, m.Size, ok, tt.size, tt.ok)
		}
	}
	file := sources(t, c, "app.db")
	if m, ok := file.Under("app.db"); ok {
		t.Errorf("file source: %v %v, want nothing (the caller knows the destination)", m, ok)
	}
}

func TestExcludeOption(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir, "a.txt=1", "b.go=2", "hom1.txt=4", "hom2.go=8", "d/x.txt=16", "d/y.go=32", "d/sub/z.txt=64")
	c := open(t, dir)
	for _, tt := range []struct {
		src     string
		exclude []string
		total   int64
	}{
		{"hom*", []string{"*.txt"}, 8},
		{"d", []string{"*.txt"}, 32 + 64},
		{"d", []string{"**/*.txt"}, 32},
		{"d", []string{"sub"}, 16 + 32},
	} {
		s, err := c.Sources(tt.src, SourceOptions{Exclude: tt.exclude})
		if err != nil {
			t.Fatal(err)
		}
		if s.Total != tt.total {
			t.Errorf("%s --exclude=%v: %d, want %d", tt.src, tt.exclude, s.Total, tt.total)
		}
	}
}

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir, ".git/objects/x=1000", ".git/HEAD=10", "node_modules/a/b=50", "src/.env=3", "src/main.go=4")
	c := open(t, dir)
	var seen []string
	sources(t, c, ".").Walk(func(m Match) bool {
		seen = append(seen, fmt.Sprintf("%s=%d", m.Display(), m.Size))
		return m.Path != ".git" && m.Path != "node_modules"
	})
	want := []string{".git/=1010", "node_modules/=50", "src/=7", "src/.env=3", "src/main.go=4"}
	if !slices.Equal(seen, want) {
		t.Errorf("got %v, want %v", seen, want)
	}
}

func TestConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	for i := range 50 {
		tree(t, dir, fmt.Sprintf("d%d/f%d=%d", i%7, i, i))
	}
	c := open(t, dir)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			s, err := c.Sources(".", SourceOptions{})
			if err != nil || s.Total != 49*50/2 {
				t.Errorf("worker %d: %v %v", i, s, err)
			}
			_ = s.Largest(3)
		})
	}
	wg.Wait()
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "nope"), ""); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing dir: %v", err)
	}
	f := filepath.Join(t.TempDir(), "file")
	tree(t, filepath.Dir(f), "file")
	if _, err := Open(f, ""); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file: %v", err)
	}
}

func TestTimeout(t *testing.T) {
	dir := t.TempDir()
	for i := range 20 {
		tree(t, dir, fmt.Sprintf("d%02d/f=1", i))
	}
	c, err := OpenOptions(dir, "", Options{Timeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	s := sources(t, c, ".")
	if !s.Incomplete {
		t.Errorf("total %d: not marked incomplete", s.Total)
	}
	if p := c.Problems(); len(p) != 1 || !strings.Contains(p[0], "stopped reading after 1ns") {
		t.Errorf("problems %q", p)
	}
}

// TestIgnoreFileTooLarge: an ignore file over MaxIgnoreFileSize is refused
// with an error naming it, and is never read whole.
func TestIgnoreFileTooLarge(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		ok   bool
	}{
		{"at the limit", MaxIgnoreFileSize, true},
		{"one byte over", MaxIgnoreFileSize + 1, false},
		{"far over", 4 * MaxIgnoreFileSize, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// Comment lines: valid patterns whatever the size.
			line := "# " + strings.Repeat("x", 61) + "\n"
			body := strings.Repeat(line, tc.size/len(line)+1)[:tc.size-len("a\n")] + "a\n"
			p := filepath.Join(dir, ".dockerignore")
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir, "")
			switch {
			case tc.ok && err != nil:
				t.Fatalf("Open: %v", err)
			case !tc.ok && (err == nil || !strings.Contains(err.Error(), p+" is larger than 1 MiB")):
				t.Fatalf("Open: %v, want %s is larger than 1 MiB", err, p)
			}
		})
	}
}

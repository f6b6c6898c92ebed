package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// contextProbe reports, on each file's first instruction, which context the
// rule sees, its size and the limits.
func contextProbe(seen *sync.Map) *rule.Rule {
	return &rule.Rule{ID: "T8", Name: "context-probe", Severity: finding.SeverityWarning, ReadsContext: true,
		Check: func(p *rule.Pass) {
			msg := "no context"
			if p.Context != nil {
				seen.Store(p.Context, true)
				s, err := p.Context.Sources(".", buildctx.SourceOptions{})
				if err != nil {
					msg = err.Error()
				} else {
					msg = fmt.Sprintf("%s %d bytes", filepath.Base(p.Context.Dir()), s.Total)
				}
			}
			p.Reportf(p.File.Instructions[0].Range, "%s, layer limit %d", msg, p.Limits.MaxLayerSize)
		}}
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestContexts(t *testing.T) {
	root := t.TempDir()
	df := "FROM alpine\nCOPY . /x\n"
	writeFile(t, filepath.Join(root, "a", "Dockerfile"), df)
	writeFile(t, filepath.Join(root, "a", "Dockerfile.dev"), df)
	writeFile(t, filepath.Join(root, "a", "Dockerfile.dev.dockerignore"), "Dockerfile\nDockerfile.dev\n")
	writeFile(t, filepath.Join(root, "b", "Dockerfile"), df)
	writeFile(t, filepath.Join(root, "shared", "data"), "0123456789")
	in := func(rel string) Input {
		p := filepath.Join(root, rel)
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return Input{Name: rel, Src: src, Path: p}
	}
	inputs := []Input{in("a/Dockerfile"), in("a/Dockerfile.dev"), in("b/Dockerfile"), {Name: "<stdin>", Src: []byte(df)}}
	size := func(names ...string) int {
		n := 0
		for _, name := range names {
			fi, err := os.Stat(filepath.Join(root, name))
			if err != nil {
				t.Fatal(err)
			}
			n += int(fi.Size())
		}
		return n
	}

	t.Run("default: each Dockerfile's directory, none for stdin", func(t *testing.T) {
		var seen sync.Map
		e, err := New([]*rule.Rule{contextProbe(&seen)}, Settings{Context: &ContextSettings{}, Limits: rule.Limits{MaxLayerSize: 42}})
		if err != nil {
			t.Fatal(err)
		}
		res := e.Lint(inputs, dockerfile.Options{})
		var got []string
		for _, f := range res.Findings {
			got = append(got, f.File+": "+f.Message)
		}
		a := size("a/Dockerfile", "a/Dockerfile.dev", "a/Dockerfile.dev.dockerignore")
		want := []string{
			"<stdin>: no context, layer limit 42",
			fmt.Sprintf("a/Dockerfile: a %d bytes, layer limit 42", a),
			// Dockerfile.dev.dockerignore applies to Dockerfile.dev only.
			fmt.Sprintf("a/Dockerfile.dev: a %d bytes, layer limit 42", size("a/Dockerfile.dev.dockerignore")),
			fmt.Sprintf("b/Dockerfile: b %d bytes, layer limit 42", size("b/Dockerfile")),
		}
		if !slices.Equal(got, want) {
			t.Errorf("got  %q\nwant %q", got, want)
		}
		n := 0
		seen.Range(func(any, any) bool { n++; return true })
		if n != 3 {
			t.Errorf("%d contexts opened, want 3 (a, a with Dockerfile.dev.dockerignore, b)", n)
		}
	})

	t.Run("--context: every file, stdin too", func(t *testing.T) {
		var seen sync.Map
		e, err := New([]*rule.Rule{contextProbe(&seen)}, Settings{Context: &ContextSettings{Dir: filepath.Join(root, "shared")}})
		if err != nil {
			t.Fatal(err)
		}
		res := e.Lint(inputs, dockerfile.Options{})
		for _, f := range res.Findings {
			if f.Message != "shared 10 bytes, layer limit 0" {
				t.Errorf("%s: %s", f.File, f.Message)
			}
		}
		n := 0
		seen.Range(func(any, any) bool { n++; return true })
		if n != 2 {
			t.Errorf("%d contexts, want 2 (shared, and shared with a/Dockerfile.dev.dockerignore)", n)
		}
	})

	t.Run("no settings: no context", func(t *testing.T) {
		var seen sync.Map
		e, err := New([]*rule.Rule{contextProbe(&seen)}, Settings{})
		if err != nil {
			t.Fatal(err)
		}
		fs, _, err := e.LintFile(inputs[0], dockerfile.Options{})
		if err != nil || len(fs) != 1 || !strings.HasPrefix(fs[0].Message, "no context") {
			t.Errorf("%v %v", fs, err)
		}
	})
}

func TestContextWarnings(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "bad", "Dockerfile"), "FROM alpine\nCOPY . /x\n")
	writeFile(t, filepath.Join(root, "bad", ".dockerignore"), "a[\n")
	writeFile(t, filepath.Join(root, "big", "Dockerfile"), "FROM alpine\nCOPY . /x\n")
	for i := range 20 {
		writeFile(t, filepath.Join(root, "big", fmt.Sprint("d", i), "f"), "x")
	}
	var warnings []string
	var mu sync.Mutex
	var seen sync.Map
	e, err := New([]*rule.Rule{contextProbe(&seen)}, Settings{Context: &ContextSettings{
		Options: buildctx.Options{MaxEntries: 5},
		Warn:    func(m string) { mu.Lock(); warnings = append(warnings, m); mu.Unlock() },
	}})
	if err != nil {
		t.Fatal(err)
	}
	var inputs []Input
	for _, name := range []string{"bad/Dockerfile", "big/Dockerfile", "big/Dockerfile"} {
		p := filepath.Join(root, name)
		inputs = append(inputs, Input{Name: name, Src: []byte("FROM alpine\nCOPY . /x\n"), Path: p})
	}
	res := e.Lint(inputs, dockerfile.Options{})
	if len(res.Errors) != 0 {
		t.Errorf("errors: %v (context problems are warnings)", res.Errors)
	}
	if len(warnings) != 2 {
		t.Fatalf("warnings %q, want 2 (each once)", warnings)
	}
	// Sorted: bad/ before big/.
	if !strings.Contains(warnings[0], ".dockerignore: syntax error in pattern") || !strings.Contains(warnings[0], "are skipped") {
		t.Errorf("bad pattern warning: %q", warnings[0])
	}
	if !strings.Contains(warnings[1], "stopped reading after 5 entries") {
		t.Errorf("bound warning: %q", warnings[1])
	}
}

// TestIgnoreFileLookupIsCachedPerDirectory checks that contexts finds the
// same ignore file as buildctx.IgnoreFile (the Dockerfile's own first, a
// directory named like an ignore file skipped, none) and that linting many
// files of one directory lists it once and stats nothing when it holds no
// ignore file, instead of two failing stats per file.
func TestIgnoreFileLookupIsCachedPerDirectory(t *testing.T) {
	root := t.TempDir()
	df := "FROM alpine\nCOPY . /x\n"
	writeFile(t, filepath.Join(root, "own", "Dockerfile"), df)
	writeFile(t, filepath.Join(root, "own", "Dockerfile.dockerignore"), "x\n")
	writeFile(t, filepath.Join(root, "own", ".dockerignore"), "y\n")
	writeFile(t, filepath.Join(root, "shared", "Dockerfile"), df)
	writeFile(t, filepath.Join(root, "shared", ".dockerignore"), "y\n")
	writeFile(t, filepath.Join(root, "dirnamed", "Dockerfile"), df)
	if err := os.MkdirAll(filepath.Join(root, "dirnamed", ".dockerignore"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		writeFile(t, filepath.Join(root, "many", fmt.Sprintf("%02d.Dockerfile", i)), df)
	}
	cs := newContexts(&ContextSettings{})
	reads, stats := 0, 0
	cs.readDir = func(d string) ([]os.DirEntry, error) { reads++; return os.ReadDir(d) }
	cs.stat = func(p string) (os.FileInfo, error) { stats++; return os.Stat(p) }
	for _, dir := range []string{"own", "shared", "dirnamed", "many", "missing"} {
		p := filepath.Join(root, dir, "Dockerfile")
		if got, want := cs.ignoreFile(filepath.Dir(p), p), buildctx.IgnoreFile(filepath.Dir(p), p); got != want {
			t.Errorf("%s: ignore file %q, buildctx.IgnoreFile %q", dir, got, want)
		}
	}
	reads, stats = 0, 0
	for i := range 40 {
		p := filepath.Join(root, "many", fmt.Sprintf("%02d.Dockerfile", i))
		if c := cs.forInput(Input{Name: p, Path: p}); c == nil {
			t.Fatalf("%s: no context", p)
		}
	}
	if reads != 0 || stats != 0 {
		t.Errorf("40 files of a listed directory without ignore files: %d directory reads, %d stats; want none", reads, stats)
	}
}

// TestContextOnlyWhenARuleReadsIt: a file's build context is looked for
// (its directory listed, its ignore file stat'ed, the tree opened) only when
// an enabled rule declares ReadsContext and the file copies from the
// context; every other file costs no file system call.
func TestContextOnlyWhenARuleReadsIt(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "data"), "x")
	writeFile(t, filepath.Join(root, ".dockerignore"), "*.md\n")
	var seen sync.Map
	reader := contextProbe(&seen)
	other := &rule.Rule{ID: "T7", Name: "no-context", Severity: finding.SeverityWarning,
		Check: func(p *rule.Pass) {
			p.Reportf(p.File.Instructions[0].Range, "context %v", p.Context != nil)
		}}
	// optIn reads the context when a file opts into it (a comment).
	optIn := &rule.Rule{ID: "T6", Name: "opt-in-reader", Severity: finding.SeverityWarning, DefaultOff: true, ReadsContext: true,
		OptIn: func(f *dockerfile.File) bool { return len(f.Comments) > 0 },
		Check: func(*rule.Pass) {}}
	tests := []struct {
		name   string
		rules  []*rule.Rule
		ignore []string
		src    string
		want   bool
	}{
		{"reader on, COPY from the context", []*rule.Rule{reader, other}, nil, "FROM alpine\nCOPY data /x\n", true},
		{"reader on, ADD of a local file", []*rule.Rule{reader, other}, nil, "FROM alpine\nADD data /x\n", true},
		{"reader on, a variable source", []*rule.Rule{reader, other}, nil, "FROM alpine\nARG S\nCOPY $S /x\n", true},
		{"reader on, no COPY", []*rule.Rule{reader, other}, nil, "FROM alpine\nRUN true\n", false},
		{"reader on, COPY --from", []*rule.Rule{reader, other}, nil, "FROM alpine AS a\nFROM alpine\nCOPY --from=a /data /x\n", false},
		{"reader on, ADD of a URL", []*rule.Rule{reader, other}, nil, "FROM alpine\nADD https://x.example/a /x\n", false},
		{"reader on, here-document", []*rule.Rule{reader, other}, nil, "FROM alpine\nCOPY <<EOF /x\nhi\nEOF\n", false},
		{"reader ignored", []*rule.Rule{reader, other}, []string{"T8"}, "FROM alpine\nCOPY data /x\n", false},
		{"no reader", []*rule.Rule{other}, nil, "FROM alpine\nCOPY data /x\n", false},
		{"off by default, not opted in", []*rule.Rule{optIn, other}, nil, "FROM alpine\nCOPY data /x\n", false},
		{"off by default, a file may opt in", []*rule.Rule{optIn, other}, nil, "# opt in\nFROM alpine\nCOPY data /x\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l Layer
			for _, id := range tt.ignore {
				l.Ignore = append(l.Ignore, RuleRef{Name: id})
			}
			e, err := New(tt.rules, Settings{Context: &ContextSettings{}, Layers: []Layer{l}})
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			e.contexts.readDir = func(d string) ([]os.DirEntry, error) { calls++; return os.ReadDir(d) }
			e.contexts.stat = func(p string) (os.FileInfo, error) { calls++; return os.Stat(p) }
			p := filepath.Join(root, "Dockerfile")
			for _, lint := range []func(Input) []finding.Finding{
				func(in Input) []finding.Finding { return e.Lint([]Input{in}, dockerfile.Options{}).Findings },
				func(in Input) []finding.Finding {
					fs, _, err := e.LintFile(in, dockerfile.Options{})
					if err != nil {
						t.Fatal(err)
					}
					return fs
				},
			} {
				fs := lint(Input{Name: "Dockerfile", Src: []byte(tt.src), Path: p})
				var msg string
				for _, f := range fs {
					if f.RuleID == "T7" {
						msg = f.Message
					}
				}
				if want := fmt.Sprintf("context %v", tt.want); msg != want {
					t.Errorf("the rules saw %q, want %q", msg, want)
				}
			}
			opened := len(e.contexts.open) > 0
			if opened != tt.want || (calls > 0) != tt.want {
				t.Errorf("context opened = %v after %d file system calls, want %v", opened, calls, tt.want)
			}
		})
	}
}

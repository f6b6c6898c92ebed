package dockerfile

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unsafe"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// TestArenaReuse checks that a reset arena hands its blocks out again,
// cleared: a request is served by the smallest free block that fits, and
// only a request no free block fits allocates.
func TestArenaReuse(t *testing.T) {
	type step struct {
		op string // "reserve", "take" or "alloc"
		n  int
	}
	cases := []struct {
		name      string
		first     []step
		second    []step
		wantFresh int // blocks the second file allocates
	}{
		{"same sizes", []step{{"reserve", 100}, {"take", 10}, {"alloc", 3}}, []step{{"reserve", 100}, {"take", 10}, {"alloc", 3}}, 0},
		{"smaller", []step{{"reserve", 100}}, []step{{"reserve", 20}, {"take", 5}}, 0},
		{"larger", []step{{"reserve", 10}}, []step{{"reserve", 500}}, 1},
		{"best fit", []step{{"reserve", 1000}, {"reserve", 1000}, {"alloc", 1}}, []step{{"alloc", 1}, {"reserve", 900}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var a arena[Word]
			run := func(steps []step) {
				for _, s := range steps {
					switch s.op {
					case "reserve":
						a.reserve(s.n)
						for _, w := range a.take(s.n) {
							if w != (Word{}) {
								t.Fatalf("%s(%d) handed out a used Word %+v", s.op, s.n, w)
							}
						}
					case "take":
						a.take(s.n)[0].Value = "x"
					case "alloc":
						a.alloc(s.n)[0].Value = "x"
					}
				}
			}
			run(c.first)
			for _, b := range a.used {
				for i := range b[:cap(b)] {
					b[:cap(b)][i].Value = "stale"
				}
			}
			a.reset(nil)
			if len(a.used) != 0 || a.buf != nil {
				t.Fatalf("reset left used=%d buf=%d", len(a.used), cap(a.buf))
			}
			for _, b := range a.free {
				for _, w := range b[:cap(b)] {
					if w != (Word{}) {
						t.Fatalf("a free block holds %+v", w)
					}
				}
			}
			free := map[*Word]bool{}
			for _, b := range a.free {
				free[&b[:1][0]] = true
			}
			run(c.second)
			fresh := 0
			for _, b := range a.used {
				if !free[&b[:1][0]] {
					fresh++
				}
			}
			if fresh != c.wantFresh {
				t.Errorf("second file allocated %d blocks, want %d", fresh, c.wantFresh)
			}
		})
	}
}

// testdataFiles returns the testdata Dockerfiles.
func testdataFiles(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob("testdata/*.Dockerfile")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = src
	}
	return out
}

// TestParseOnReleasedArenas parses every testdata file on the arenas of the
// file parsed before it, released: the model is the one a fresh parse gives.
func TestParseOnReleasedArenas(t *testing.T) {
	files := testdataFiles(t)
	mem := new(arenas)
	for _, round := range []int{1, 2} {
		for name, src := range files {
			want, _ := parse(name, src, Options{}, new(arenas))
			got, _ := parse(name, src, Options{}, mem)
			// dump reads Args, allocating from mem: the next file's
			// Parse reuses those tokens' memory too.
			if d := dump(got); d != dump(want) {
				t.Fatalf("round %d, %s: model on reused arenas differs:\n%s", round, name, lineDiff(dump(want), d))
			}
			got.mem = nil
			mem.clear()
		}
	}
}

// TestReleasedFilesArePoisoned checks what the dockvet_poison tests rely on:
// with poisoning on, what a released File's model held reads as poison.
func TestReleasedFilesArePoisoned(t *testing.T) {
	defer func(on bool) { poisonReleased = on }(poisonReleased)
	poisonReleased = true
	src := "# a comment\nFROM alpine AS build\nRUN apk add --no-cache \"$PKG\" && sh -c 'make all'\nCOPY a \\\n  b /c/\nCMD [\"app\"]\n"
	f, err := Parse("Dockerfile", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	run := f.Instructions[1]
	if run.Script == nil || len(run.Script.Calls) < 2 {
		t.Fatalf("RUN script = %+v, want calls", run.Script)
	}
	call := run.Script.Calls[0]
	args := call.Args
	expr := args[len(args)-1].expr
	if expr == nil {
		t.Fatal("the \"$PKG\" word has no expression")
	}
	lm := run.logical
	copyIn := f.Instructions[2]
	tokens := copyIn.Args()
	segs := copyIn.logical.segs
	if len(tokens) != 3 || len(segs) != 2 || len(f.Comments) != 1 {
		t.Fatalf("COPY args %v, segments %v, comments %v: want 3, 2, 1", tokens, segs, f.Comments)
	}
	comments := f.Comments
	ref := f.ImageRefs[0]
	final := f.FinalInstructions()
	predefined := &f.mem.predefined
	script, stage := run.Script, f.Stages[0]
	if ref.Raw != "alpine" || len(final) != 4 || predefined[0][0] != "BUILDPLATFORM" {
		t.Fatalf("ImageRefs[0] %q, final instructions %d, predefined ARGs %q: want alpine, 4, BUILDPLATFORM first", ref.Raw, len(final), predefined[0])
	}
	f.Release()
	f.Release() // a second release does nothing
	checks := []struct {
		what, got string
	}{
		{"instruction keyword", run.Keyword},
		{"instruction args", run.ArgsText},
		{"call name", call.Name},
		{"call word", args[0].Value},
		{"word expression", expr.text},
		{"logical line", lm.text},
		{"argument token", tokens[0].Value},
		{"comment", comments[0].Text},
		{"image reference", ref.Raw},
		{"final instruction", final[0].Keyword},
		{"predefined ARG", predefined[0][1]},
		{"script", script.Text},
		{"stage", stage.Name},
	}
	for _, c := range checks {
		if c.got != poisonText {
			t.Errorf("after Release, %s = %q, want the poison", c.what, c.got)
		}
	}
	if segs[1].line != -1 {
		t.Errorf("after Release, a logical line's segment = %+v, want the poison", segs[1])
	}
	if run.Script != nil || run.Node != nil {
		t.Errorf("after Release, the instruction still holds its script or node")
	}
}

// TestReleaseClearsModel checks that a released File's arenas keep nothing
// of it (no string, node or script reachable through the pool), and that
// the File's own lists of the model are emptied.
func TestReleaseClearsModel(t *testing.T) {
	defer func(on bool) { poisonReleased = on }(poisonReleased)
	poisonReleased = false
	for name, src := range testdataFiles(t) {
		f, _ := Parse(name, src, Options{})
		for _, in := range f.Instructions {
			in.Args() // tokens come from the arenas too
		}
		f.FinalInstructions() // and these lists
		m := f.mem
		if m.size() > maxPooledArenaBytes {
			continue // dropped as it is (TestOversizedArenasAreDropped)
		}
		// m goes to the pool; nothing else parses until the next round.
		f.Release()
		if f.Instructions != nil || f.MetaArgs != nil || f.Stages != nil || f.Target != nil || f.Comments != nil ||
			f.Suppressions != nil || f.HadolintSuppressions != nil || f.BuildKitWarnings != nil || f.ImageRefs != nil ||
			f.finalChain != nil || f.inFinal != nil {
			t.Fatalf("%s: a released File still lists its model", name)
		}
		blocks := []reflect.Value{reflect.ValueOf(m.predefined[:])}
		for _, a := range arenaFields(m) {
			if used := a.FieldByName("used"); used.Len() != 0 {
				t.Fatalf("%s: %s still holds %d blocks of the released file", name, a.Type(), used.Len())
			}
			free := a.FieldByName("free")
			for i := range free.Len() {
				b := free.Index(i)
				blocks = append(blocks, b.Slice(0, b.Cap()))
			}
		}
		for _, b := range blocks {
			for i := range b.Len() {
				if !b.Index(i).IsZero() {
					t.Fatalf("%s: a released block holds %s", name, strings.TrimSpace(b.Index(i).String()))
				}
			}
		}
	}
}

// arenaFields returns every arena of m, found by its type: a field that
// arenas.each misses is still here (TestEachCoversArenas).
func arenaFields(m *arenas) []reflect.Value {
	var out []reflect.Value
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		if strings.HasPrefix(v.Type().Field(i).Type.Name(), "arena[") {
			out = append(out, v.Field(i))
		}
	}
	return out
}

// TestEachCoversArenas: arenas.each, which release clears and measures,
// names every arena of the set, each once.
func TestEachCoversArenas(t *testing.T) {
	m := new(arenas)
	fields := arenaFields(m)
	if len(fields) == 0 {
		t.Fatal("no arena fields found: arenaFields no longer recognises them")
	}
	listed := map[uintptr]bool{}
	for _, a := range m.each() {
		listed[reflect.ValueOf(a).Pointer()] = true
	}
	for i, f := range fields {
		if !listed[f.Addr().Pointer()] {
			t.Errorf("arena field %d (%s) is not in arenas.each", i, f.Type())
		}
	}
	if len(listed) != len(fields) {
		t.Errorf("arenas.each lists %d distinct arenas, the struct has %d", len(listed), len(fields))
	}
}

// TestLinesAreViewsOfSource pins down Parse's contract on src: Lines are
// views of it (so a caller that reuses the buffer changes them), and under
// poisoning Release catches a source modified while its File was in use.
func TestLinesAreViewsOfSource(t *testing.T) {
	defer func(on bool) { poisonReleased = on }(poisonReleased)
	poisonReleased = false
	src := []byte("FROM alpine\r\nRUN true\n")
	f, _ := Parse("Dockerfile", src, Options{})
	copy(src, "FROM ubuntu")
	if f.Lines[0] != "FROM ubuntu" {
		t.Fatalf("Lines[0] = %q after the source changed: Lines are not views of src, fix Parse's doc", f.Lines[0])
	}
	f.Release()

	poisonReleased = true
	f, _ = Parse("Dockerfile", src, Options{})
	src[len(src)-2] = 'X'
	defer func() {
		if recover() == nil {
			t.Error("Release did not notice the modified source")
		}
	}()
	f.Release()
}

// TestDirectiveScansMatchSplitting checks leadingEscape and
// leadingCommentsMention, which walk the source without splitting or
// lower-casing it, against the splitting versions they replaced.
func TestDirectiveScansMatchSplitting(t *testing.T) {
	oldEscape := func(src []byte) rune {
		var dp parser.DirectiveParser
		for _, line := range bytes.SplitN(src, []byte{'\n'}, 8) {
			d, err := dp.ParseLine(bytes.TrimLeftFunc(bytes.TrimRight(line, "\r"), unicode.IsSpace))
			if err != nil || d == nil {
				break
			}
			if d.Name == "escape" && (d.Value == "`" || d.Value == `\`) {
				return rune(d.Value[0])
			}
		}
		return parser.DefaultEscapeToken
	}
	oldMention := func(src []byte, word string) bool {
		for len(src) > 0 {
			line := src
			if i := bytes.IndexByte(src, '\n'); i >= 0 {
				line, src = src[:i], src[i+1:]
			} else {
				src = nil
			}
			line = bytes.TrimSpace(line)
			if len(line) == 0 {
				continue
			}
			if line[0] != '#' {
				return false
			}
			if bytes.Contains(bytes.ToLower(line), []byte(word)) {
				return true
			}
		}
		return false
	}
	srcs := []string{
		"",
		"# escape=`\nFROM x",
		"#escape=`",
		"# syntax=docker/dockerfile:1\n# escape=`\n",
		"# a=1\n# b=2\n# c=3\n# d=4\n# e=5\n# f=6\n# g=7\n# escape=`\n",
		"# a=1\n# b=2\n# c=3\n# d=4\n# e=5\n# f=6\n# escape=`\nFROM x\n",
		"# a=1\n# b=2\n# c=3\n# d=4\n# e=5\n# f=6\n# g=7\n# escape=`",
		"\n# escape=`\n",
		"# CHECK=skip=all\nFROM x",
		"# Check=skip=all",
		"#  cHeCk = error=true\r\n",
		"FROM x\n# check=skip=all",
		"# no directive here\n# chec k\n",
		"# chec",
		"   \n\t# escape=\\\n# check=skip=all\n",
	}
	for _, src := range srcs {
		if got, want := leadingEscape([]byte(src)), oldEscape([]byte(src)); got != want {
			t.Errorf("leadingEscape(%q) = %q, want %q", src, got, want)
		}
		for _, word := range []string{"check", "escape"} {
			if got, want := leadingCommentsMention([]byte(src), word), oldMention([]byte(src), word); got != want {
				t.Errorf("leadingCommentsMention(%q, %q) = %v, want %v", src, word, got, want)
			}
		}
	}
}

// TestStageInstructions checks the stages' lists, which are pieces of the
// file's: each holds its instructions in order (nil for none), and an
// append to one does not write into the next stage's FROM.
func TestStageInstructions(t *testing.T) {
	src := "ARG V=1\nFROM a AS one\nRUN x\nENV A=1\nFROM one AS two\nFROM b\nCOPY --from=two / /\n"
	f, _ := Parse("Dockerfile", []byte(src), Options{})
	want := [][]string{{"RUN", "ENV"}, nil, {"COPY"}}
	if len(f.Stages) != len(want) {
		t.Fatalf("%d stages, want %d", len(f.Stages), len(want))
	}
	for i, s := range f.Stages {
		var got []string
		for _, in := range s.Instructions {
			got = append(got, in.Keyword)
			if in.Stage != s {
				t.Errorf("stage %d holds an instruction of stage %v", i, in.Stage)
			}
		}
		if !reflect.DeepEqual(got, want[i]) || (want[i] == nil) != (s.Instructions == nil) {
			t.Errorf("stage %d instructions %q (nil %v), want %q", i, got, s.Instructions == nil, want[i])
		}
	}
	before := slices.Clone(f.Instructions)
	grown := append(f.Stages[0].Instructions, f.Instructions[0])
	if len(grown) != 3 || !slices.Equal(before, f.Instructions) {
		t.Error("appending to a stage's instructions changed the file's list")
	}
}

// TestOversizedArenasAreDropped: arenas over maxPooledArenaBytes are left
// to the collector as they are, not cleared first (clearing the blocks of
// a file of 40,000 RUNs only costs time). That they are not pooled either
// is release's early return; a pool gives no way to look inside.
func TestOversizedArenasAreDropped(t *testing.T) {
	defer func(on bool) { poisonReleased = on }(poisonReleased)
	poisonReleased = false
	m := new(arenas)
	m.words.reserve(maxPooledArenaBytes/int(unsafe.Sizeof(Word{})) + 1)
	m.words.alloc(1)[0].Value = "kept"
	if m.size() <= maxPooledArenaBytes {
		t.Fatalf("size %d, want over %d", m.size(), maxPooledArenaBytes)
	}
	m.release()
	if len(m.words.used) == 0 || m.words.used[0][:1][0].Value != "kept" {
		t.Error("an oversized set was cleared on release")
	}
}

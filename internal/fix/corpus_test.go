package fix

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/safefile"
	"github.com/dockvet/dockvet/rules"
)

const corpusDir = "../../../shared/corpus"

// corpusNames lists the corpus files named in its MANIFEST.tsv.
func corpusNames(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "MANIFEST.tsv"))
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, _, _ := strings.Cut(sc.Text(), "\t")
		if name != "" && name != "saved_name" {
			names = append(names, name)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// TestCorpusFix runs --fix's passes on a temporary copy of every corpus
// file, with the default rules, and checks that: no fix is dropped as
// unsafe; every pass changes only the instructions its fixes touched
// (checked here with BuildKit's own dump of each instruction); the fixed
// file parses without syntax errors; a second run changes nothing; and no
// rule reports more than it did less what was fixed, nor offers a fix
// still. It writes each fixed copy with Writer and reads it back.
func TestCorpusFix(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus: not in -short")
	}
	names := corpusNames(t)
	eng, err := engine.New(rules.All(), engine.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	var changed, fixes int
	perRule := map[string]int{}
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			t.Fatal(err)
		}
		lint := func(b []byte) ([]finding.Finding, *dockerfile.File, error) {
			return eng.LintFileContext(context.Background(), engine.Input{Name: name, Src: b}, dockerfile.Options{})
		}
		res, err := Run(src, lint, nil)
		if err != nil {
			continue // a file the engine cannot lint (a --target it lacks...)
		}
		for _, d := range res.Dropped {
			t.Errorf("%s: the fix of %s at line %d was dropped: %v", name, d.Finding.RuleID, d.Finding.Range.Start.Line, d.Err)
		}
		if !res.Changed() {
			continue
		}
		changed++
		fixes += len(res.Fixed)
		for _, f := range res.Fixed {
			perRule[f.RuleID]++
		}
		for i, p := range res.History {
			if msg := onlyTouchedChanged(p); msg != "" {
				t.Errorf("%s: pass %d: %s", name, i+1, msg)
			}
		}
		if len(res.File.Errors) > 0 {
			t.Errorf("%s: fixed file has a syntax error: %s", name, res.File.Errors[0].Message)
		}
		again, err := Run(res.Src, lint, nil)
		if err != nil || again.Changed() {
			t.Errorf("%s: a second run changed the file (%v):\n%s", name, err, again.Src)
		}
		before, _, _ := lint(src)
		for _, f := range res.Findings {
			if f.Fix != nil {
				t.Errorf("%s:%d: %s still offers a fix: %s", name, f.Range.Start.Line, f.RuleID, f.Message)
			}
		}
		// A fix may turn one finding into another (an update RUN merged
		// into an install that must keep its lists for a later RUN: DV402
		// becomes DV400), but never leaves more findings than there were.
		if len(res.Findings) > len(before) {
			t.Errorf("%s: %d findings before fixing, %d after", name, len(before), len(res.Findings))
		}
		// Write the copy as --fix does.
		path := filepath.Join(tmp, strings.ReplaceAll(name, "/", "__"))
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(path)
		if err := (Writer{}).WriteFile(path, safefile.IDOf(fi), src, res.Src); err != nil {
			t.Errorf("%s: %v", name, err)
		} else if got, _ := os.ReadFile(path); !bytes.Equal(got, res.Src) {
			t.Errorf("%s: written copy differs", name)
		}
	}
	var ids []string
	for id := range perRule {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var sb strings.Builder
	for _, id := range ids {
		sb.WriteString(" " + id + "=")
		sb.WriteString(strconv.Itoa(perRule[id]))
	}
	t.Logf("corpus: %d files, %d changed, %d findings fixed:%s", len(names), changed, fixes, sb.String())
}

// onlyTouchedChanged checks one pass with BuildKit's Dump of each
// instruction (flags, arguments and heredocs as BuildKit reads them): every
// instruction on lines no applied edit touched is still there, unchanged
// and in order, and there are no more instructions than before. It returns
// what is wrong, "" when nothing.
func onlyTouchedChanged(p Pass) string {
	old, err := parser.Parse(bytes.NewReader(p.Before))
	if err != nil {
		return "" // Run does not fix such a file
	}
	nw, err := parser.Parse(bytes.NewReader(p.After))
	if err != nil {
		return "fixed text does not parse: " + err.Error()
	}
	edited := map[int]bool{}
	for _, f := range p.Applied {
		for _, e := range f.Fix.Edits {
			last := e.Range.End.Line
			if e.Range.End.Col == 1 && last > e.Range.Start.Line {
				last--
			}
			for l := e.Range.Start.Line; l <= last; l++ {
				edited[l] = true
			}
		}
	}
	dump := func(n *parser.Node) string {
		s := n.Dump()
		for _, h := range n.Heredocs {
			s += "\x00" + h.Name + "\x00" + h.Content
		}
		return s
	}
	var untouched []string
	for _, n := range old.AST.Children {
		hit := false
		for l := n.StartLine; l <= n.EndLine; l++ {
			hit = hit || edited[l]
		}
		if !hit {
			untouched = append(untouched, dump(n))
		}
	}
	if len(nw.AST.Children) > len(old.AST.Children) {
		return "more instructions than before"
	}
	i := 0
	for _, n := range nw.AST.Children {
		if i < len(untouched) && dump(n) == untouched[i] {
			i++
		}
	}
	if i < len(untouched) {
		return "an instruction no fix touched changed: " + untouched[i]
	}
	return ""
}

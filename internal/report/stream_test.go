package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
)

// TestJSONStreamIsTheWholeDocument pins the streamed JSON to what encoding
// the whole jsonReport at once with two-space indentation writes (the
// format's bytes before it streamed): empty arrays, findings with related
// locations and fixes, '<' and '&' unescaped, invalid UTF-8 replaced.
func TestJSONStreamIsTheWholeDocument(t *testing.T) {
	odd := &finding.Result{Files: 1, Findings: []finding.Finding{{
		RuleID: "DV1", RuleName: "x", Severity: finding.SeverityInfo, File: "a<b>&\xff",
		Message: "a && b <none> \xfe\n\"q\"",
	}}}
	for name, res := range map[string]*finding.Result{
		"empty":       {Files: 0},
		"errors only": {Files: 1, Errors: []finding.FileError{{File: "x", Message: "gone"}, {File: "y", Message: "too"}}},
		"full":        fullResult(),
		"odd text":    odd,
	} {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			if err := writeJSON(&got, res, Options{}); err != nil {
				t.Fatal(err)
			}
			whole := jsonReport{Version: jsonVersion, Findings: []jsonFinding{}, Errors: []jsonError{}}
			for _, f := range res.Findings {
				whole.Findings = append(whole.Findings, toJSONFinding(f))
			}
			for _, e := range res.Errors {
				whole.Errors = append(whole.Errors, jsonError{File: e.File, Message: e.Message})
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(whole); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("streamed:\n%s\nwhole document:\n%s", got.String(), want.String())
			}
		})
	}
}

// writeLog records each Write, so a test sees when bytes leave the stream.
type writeLog struct {
	writes []string
}

func (w *writeLog) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func (w *writeLog) all() string { return strings.Join(w.writes, "") }

// TestStreamWritesEachFileWhenGiven checks that the streaming formats have
// written a file's findings when File returns (not at Close), and that
// feeding the files one by one writes the same bytes as the Formatter given
// the whole result.
func TestStreamWritesEachFileWhenGiven(t *testing.T) {
	res := fullResult()
	streaming := map[string]bool{"text": true, "gnu": true, "json": true, "github": true, "checkstyle": true}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			var whole bytes.Buffer
			format, err := Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := format(&whole, res, Options{}); err != nil {
				t.Fatal(err)
			}

			w := &writeLog{}
			s, err := NewStream(name, w, Options{})
			if err != nil {
				t.Fatal(err)
			}
			first := res.Findings[0].File
			n := 0
			for n < len(res.Findings) && res.Findings[n].File == first {
				n++
			}
			if err := s.File(res.Findings[:n], res.Sources[first]); err != nil {
				t.Fatal(err)
			}
			firstRule := res.Findings[0].RuleID // every format prints it as is
			if written := w.all(); streaming[name] != strings.Contains(written, firstRule) {
				t.Errorf("after the first file, written=%q; streaming format: %v", written, streaming[name])
			}
			rest := &finding.Result{Findings: res.Findings[n:], Sources: res.Sources, Errors: res.Errors, Files: res.Files}
			if err := writeResult(s, rest); err != nil {
				t.Fatal(err)
			}
			if w.all() != whole.String() {
				t.Errorf("streamed:\n%s\nwhole:\n%s", w.all(), whole.String())
			}
		})
	}
}

var _ io.Writer = (*writeLog)(nil)

package report

import (
	"bytes"
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
)

// TestListsRules: a format's output depends on Options.Rules exactly when
// ListsRules says so, since the CLI leaves them out for the others.
func TestListsRules(t *testing.T) {
	rules := []RuleInfo{{ID: "DV999", Name: "described-rule", Summary: "summary", Doc: "doc", Help: "help text", HelpURI: "https://example.com/dv999", DefaultSeverity: finding.SeverityWarning}}
	listed := 0
	for _, name := range Names() {
		fn, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		write := func(opts Options) string {
			var buf bytes.Buffer
			if err := fn(&buf, fullResult(), opts); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return buf.String()
		}
		reads := write(Options{Rules: rules}) != write(Options{})
		if reads != ListsRules(name) {
			t.Errorf("%s: output depends on Options.Rules = %v, ListsRules = %v", name, reads, ListsRules(name))
		}
		if reads {
			listed++
		}
	}
	if listed == 0 {
		t.Error("no format lists the rules: the test proves nothing")
	}
}

// TestReadsSources: a format's output depends on the source lines exactly
// when ReadsSources says so, since the CLI leaves them out for the others.
func TestReadsSources(t *testing.T) {
	readers := 0
	for _, name := range Names() {
		fn, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		write := func(res *finding.Result) string {
			var buf bytes.Buffer
			if err := fn(&buf, res, Options{}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return buf.String()
		}
		without := fullResult()
		without.Sources = nil
		reads := write(fullResult()) != write(without)
		if reads != ReadsSources(name) {
			t.Errorf("%s: output depends on the source lines = %v, ReadsSources = %v", name, reads, ReadsSources(name))
		}
		if reads {
			readers++
		}
	}
	if readers == 0 {
		t.Error("no format reads source lines: the test proves nothing")
	}
}

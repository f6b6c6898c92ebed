package report

import (
	"bytes"
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
)

// TestFormatsReadWhatTheySay: a format's output depends on an input the
// CLI may leave out exactly when the format says it reads it: the rules'
// documentation (ListsRules) and the source lines (ReadsSources).
func TestFormatsReadWhatTheySay(t *testing.T) {
	rules := []RuleInfo{{ID: "DV999", Name: "described-rule", Summary: "summary", Doc: "doc", Help: "help text", HelpURI: "https://example.com/dv999", DefaultSeverity: finding.SeverityWarning}}
	for _, input := range []struct {
		name  string
		reads func(format string) bool
		// left out is the result and options without the input.
		leftOut func() (*finding.Result, Options)
	}{
		{"Options.Rules", ListsRules, func() (*finding.Result, Options) { return fullResult(), Options{} }},
		{"the source lines", ReadsSources, func() (*finding.Result, Options) {
			res := fullResult()
			res.Sources = nil
			return res, Options{Rules: rules}
		}},
	} {
		readers := 0
		for _, name := range Names() {
			fn, err := Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			write := func(res *finding.Result, opts Options) string {
				var buf bytes.Buffer
				if err := fn(&buf, res, opts); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				return buf.String()
			}
			reads := write(fullResult(), Options{Rules: rules}) != write(input.leftOut())
			if reads != input.reads(name) {
				t.Errorf("%s: output depends on %s = %v, the format says %v", name, input.name, reads, input.reads(name))
			}
			if reads {
				readers++
			}
		}
		if readers == 0 {
			t.Errorf("no format reads %s: the test proves nothing", input.name)
		}
	}
}

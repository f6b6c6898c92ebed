package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// testRules are stand-ins: the engine must work with any rule values.
func testRules() (everyFrom, offByDefault, panics *rule.Rule) {
	everyFrom = &rule.Rule{ID: "T1", Name: "every-from", Severity: finding.SeverityWarning,
		Check: func(p *rule.Pass) {
			for _, in := range p.File.Instructions {
				if in.Keyword == "FROM" {
					p.Reportf(in.Args()[0].Range, "from %s", in.Args()[0].Value)
				}
			}
		}}
	offByDefault = &rule.Rule{ID: "T2", Name: "every-file", Severity: finding.SeverityInfo, DefaultOff: true,
		Check: func(p *rule.Pass) { p.Reportf(p.File.Instructions[0].Range, "file") }}
	panics = &rule.Rule{ID: "T3", Name: "panics", Severity: finding.SeverityError,
		Check: func(p *rule.Pass) {
			if strings.Contains(p.File.Lines[0], "boom") {
				panic("boom")
			}
		}}
	return
}

func ids(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID+"@"+f.Range.Start.String()+":"+f.Severity.String())
	}
	return out
}

func TestSettingsLayers(t *testing.T) {
	a, b, _ := testRules()
	src := []byte("FROM alpine\nFROM busybox\n")
	tests := []struct {
		name   string
		layers []Layer
		want   []string
	}{
		{"defaults", nil, []string{"T1@1:6:warning", "T1@2:6:warning"}},
		{"enable by name", []Layer{{Enable: []RuleRef{{Name: "every-file"}}}}, []string{"T2@1:1:info", "T1@1:6:warning", "T1@2:6:warning"}},
		{"ignore by id, any case", []Layer{{Ignore: []RuleRef{{Name: "t1"}}}}, nil},
		{"ignore wins within a layer", []Layer{{Enable: []RuleRef{{Name: "T2"}}, Ignore: []RuleRef{{Name: "T2"}, {Name: "T1"}}}}, nil},
		{"later layer wins", []Layer{{Ignore: []RuleRef{{Name: "T1"}}}, {Enable: []RuleRef{{Name: "T1"}}}}, []string{"T1@1:6:warning", "T1@2:6:warning"}},
		{"severity override", []Layer{{Severity: []Override{{Rule: RuleRef{Name: "T1"}, Level: finding.SeverityError}}}}, []string{"T1@1:6:error", "T1@2:6:error"}},
		{"severity none disables", []Layer{{Severity: []Override{{Rule: RuleRef{Name: "T1"}, Level: finding.SeverityNone}}}}, nil},
		{"severity does not enable", []Layer{{Severity: []Override{{Rule: RuleRef{Name: "T2"}, Level: finding.SeverityError}}}}, []string{"T1@1:6:warning", "T1@2:6:warning"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New([]*rule.Rule{a, b}, Settings{Layers: tt.layers})
			if err != nil {
				t.Fatal(err)
			}
			fs, _, err := e.LintFile(Input{Name: "Dockerfile", Src: src}, dockerfile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(fs); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUnknownRuleNames(t *testing.T) {
	a, b, _ := testRules()
	_, err := New([]*rule.Rule{a, b}, Settings{Layers: []Layer{{Ignore: []RuleRef{{Name: "every-fro"}}}}})
	var ue *UnknownRuleError
	if !errors.As(err, &ue) || ue.Suggest != "T1 every-from" {
		t.Fatalf("flag typo: got %v", err)
	}
	// In a config file, an unknown name is a finding under the given rule.
	inv := &rule.Rule{ID: "T9", Name: "invalid", Severity: finding.SeverityInfo}
	e, err := New([]*rule.Rule{a, b, inv}, Settings{
		Layers:             []Layer{{Ignore: []RuleRef{{Name: "nope", File: ".dockvet.yaml", Line: 3, Column: 10}}}},
		InvalidSuppression: inv,
	})
	if err != nil {
		t.Fatal(err)
	}
	cf := e.ConfigFindings()
	if len(cf) != 1 || cf[0].File != ".dockvet.yaml" || cf[0].Range.Start.Line != 3 || cf[0].Range.Start.Col != 10 || cf[0].Range.End.Col != 14 {
		t.Fatalf("config findings %+v", cf)
	}
	res := e.Lint([]Input{{Name: "Dockerfile", Src: []byte("FROM a\n")}}, dockerfile.Options{})
	if !slices.ContainsFunc(res.Findings, func(f finding.Finding) bool { return f.RuleID == "T9" }) {
		t.Errorf("config finding not in the run result: %v", ids(res.Findings))
	}
}

func TestInlineSuppressions(t *testing.T) {
	a, _, _ := testRules()
	e, _ := New([]*rule.Rule{a}, Settings{})
	src := "# dockvet ignore=T1\nFROM a\n\n# dockvet ignore=every-from\n# other comment\nFROM b\nFROM c\n"
	fs, _, _ := e.LintFile(Input{Name: "D", Src: []byte(src)}, dockerfile.Options{})
	if got := ids(fs); !slices.Equal(got, []string{"T1@7:6:warning"}) {
		t.Errorf("got %v", got)
	}
	fs, _, _ = e.LintFile(Input{Name: "D", Src: []byte("FROM a\n# dockvet global ignore=T1\nFROM b\n")}, dockerfile.Options{})
	if len(fs) != 0 {
		t.Errorf("global ignore: got %v", ids(fs))
	}
}

func TestPanickingRuleIsIsolated(t *testing.T) {
	a, _, p := testRules()
	e, _ := New([]*rule.Rule{a, p}, Settings{})
	res := e.Lint([]Input{
		{Name: "boom/Dockerfile", Src: []byte("# boom\nFROM a\n")},
		{Name: "ok/Dockerfile", Src: []byte("FROM b\n")},
	}, dockerfile.Options{})
	if len(res.Errors) != 1 || res.Errors[0].File != "boom/Dockerfile" || !strings.Contains(res.Errors[0].Message, "internal error in rule T3 panics") {
		t.Fatalf("errors: %+v", res.Errors)
	}
	if got := ids(res.Findings); !slices.Equal(got, []string{"T1@1:6:warning"}) {
		t.Errorf("the healthy file's findings: %v", got)
	}
}

func TestLintSortsAndKeepsSources(t *testing.T) {
	a, _, _ := testRules()
	e, _ := New([]*rule.Rule{a}, Settings{})
	inputs := []Input{
		{Name: "b/Dockerfile", Src: []byte("FROM x\n")},
		{Name: "a/Dockerfile", Src: []byte("FROM y\nFROM z\n")},
		{Name: "c/Dockerfile", Src: []byte("ARG X\n")},
	}
	res := e.Lint(inputs, dockerfile.Options{})
	var files []string
	for _, f := range res.Findings {
		files = append(files, f.File+":"+f.Range.Start.String())
	}
	if want := []string{"a/Dockerfile:1:6", "a/Dockerfile:2:6", "b/Dockerfile:1:6"}; !slices.Equal(files, want) {
		t.Errorf("order %v, want %v", files, want)
	}
	if res.Files != 3 || len(res.Sources["a/Dockerfile"]) != 2 || res.Sources["c/Dockerfile"] != nil {
		t.Errorf("files %d, sources %v", res.Files, res.Sources)
	}
}

func TestTargetNotFoundIsAnError(t *testing.T) {
	a, _, _ := testRules()
	e, _ := New([]*rule.Rule{a}, Settings{})
	res := e.Lint([]Input{{Name: "D", Src: []byte("FROM a AS one\n")}}, dockerfile.Options{Target: "two"})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, `no stage named "two"`) {
		t.Errorf("errors %+v", res.Errors)
	}
}

func TestFailed(t *testing.T) {
	fs := []finding.Finding{{Severity: finding.SeverityInfo}, {Severity: finding.SeverityWarning}}
	for _, tt := range []struct {
		threshold finding.Severity
		want      bool
	}{{finding.SeverityError, false}, {finding.SeverityWarning, true}, {finding.SeverityInfo, true}, {finding.SeverityNone, false}} {
		if got := Failed(fs, tt.threshold); got != tt.want {
			t.Errorf("Failed(%v) = %v", tt.threshold, got)
		}
	}
}

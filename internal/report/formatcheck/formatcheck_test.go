package formatcheck

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// validSARIF is a minimal document that passes; each rejection case below
// breaks one thing in it.
const validSARIF = `{"$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
 "version": "2.1.0",
 "runs": [{"tool": {"driver": {"name": "dockvet", "rules": [{"id": "DV100"}]}},
  "results": [{"ruleId": "DV100", "ruleIndex": 0, "level": "warning", "message": {"text": "m"},
   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a%3Ab/Dockerfile", "uriBaseId": "%SRCROOT%"},
     "region": {"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 9}}}],
   "partialFingerprints": {"primaryLocationLineHash": "0123456789abcdef:1"}}]}]}`

// TestParseAcceptsValidDocuments: one valid document per format, read back.
func TestParseAcceptsValidDocuments(t *testing.T) {
	want := Key{File: "a:b/Dockerfile", Line: 2, Col: 3, EndLine: 2, EndCol: 9, Rule: "DV100", Severity: "warning", Message: "m"}
	docs := map[string]string{
		"sarif":  validSARIF,
		"github": "::warning file=a%3Ab/Dockerfile,line=2,col=3,endLine=2,endColumn=9,title=DV100 volume-instruction::m\n",
		"gitlab": `[{"description": "m", "check_name": "DV100", "fingerprint": "f", "severity": "minor",
			"location": {"path": "a:b/Dockerfile", "lines": {"begin": 2, "end": 2}}}]`,
		"checkstyle": `<?xml version="1.0"?><checkstyle version="4.3"><file name="a:b/Dockerfile">` +
			`<error line="2" column="3" severity="warning" message="m" source="dockvet.DV100"/></file></checkstyle>`,
	}
	for format, doc := range docs {
		res, err := Parse(format, []byte(doc))
		if err != nil {
			t.Errorf("%s: %v", format, err)
			continue
		}
		if len(res.Findings) != 1 || res.Findings[0] != Project(format, want) {
			t.Errorf("%s: got %+v, want %+v", format, res.Findings, Project(format, want))
		}
	}
}

// TestParseRejects: each checker refuses what its consumer would refuse or
// misread.
func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, format, doc, want string
	}{
		{"sarif level info", "sarif", strings.Replace(validSARIF, `"level": "warning"`, `"level": "info"`, 1), "OASIS schema"},
		{"sarif no version", "sarif", strings.Replace(validSARIF, `"version": "2.1.0",`, ``, 1), "OASIS schema"},
		{"sarif column 0", "sarif", strings.Replace(validSARIF, `"startColumn": 3`, `"startColumn": 0`, 1), "OASIS schema"},
		{"sarif bad uri", "sarif", strings.Replace(validSARIF, `a%3Ab/Dockerfile`, `a b/%zz`, 1), "OASIS schema"},
		{"sarif wrong ruleIndex", "sarif", strings.Replace(validSARIF, `"rules": [{"id": "DV100"}]`, `"rules": [{"id": "DV200"}]`, 1), "ruleIndex"},
		{"sarif two locations", "sarif", strings.Replace(validSARIF, `"locations": [{"physicalLocation": {"artifactLocation": {"uri": "a%3Ab/Dockerfile", "uriBaseId": "%SRCROOT%"},`,
			`"locations": [{"physicalLocation": {"artifactLocation": {"uri": "x"}}}, {"physicalLocation": {"artifactLocation": {"uri": "a%3Ab/Dockerfile", "uriBaseId": "%SRCROOT%"},`, 1), "exactly 1"},
		{"sarif no fingerprint", "sarif", strings.Replace(validSARIF, `"primaryLocationLineHash"`, `"other"`, 1), "primaryLocationLineHash"},
		{"github raw comma in file", "github", "::warning file=a,b,line=1,title=DV100 x::m\n", "key=value"},
		{"github unknown property", "github", "::warning file=a,row=1,title=DV100 x::m\n", "not an annotation property"},
		{"github not a command", "github", "Dockerfile:1:1: warning: m [DV100]\n", "not a workflow command"},
		{"github info command", "github", "::info file=a,title=DV100 x::m\n", "not an annotation"},
		{"github column without line", "github", "::warning file=a,col=3,title=DV100 x::m\n", "column without a line"},
		{"gitlab no fingerprint", "gitlab", `[{"description": "m", "check_name": "DV100", "severity": "minor", "location": {"path": "a", "lines": {"begin": 1}}}]`, "required"},
		{"gitlab repeated fingerprint", "gitlab", `[{"description": "m", "check_name": "DV100", "fingerprint": "f", "severity": "minor", "location": {"path": "a", "lines": {"begin": 1}}},
			{"description": "m", "check_name": "DV100", "fingerprint": "f", "severity": "minor", "location": {"path": "a", "lines": {"begin": 2}}}]`, "share fingerprint"},
		{"gitlab severity warning", "gitlab", `[{"description": "m", "check_name": "DV100", "fingerprint": "f", "severity": "warning", "location": {"path": "a", "lines": {"begin": 1}}}]`, "severity"},
		{"gitlab line 0", "gitlab", `[{"description": "m", "check_name": "DV100", "fingerprint": "f", "severity": "info", "location": {"path": "a", "lines": {"begin": 0}}}]`, "line 0"},
		{"checkstyle raw ampersand", "checkstyle", `<checkstyle version="4.3"><file name="a"><error severity="info" message="a & b" source="dockvet.DV100"/></file></checkstyle>`, "checkstyle"},
		{"checkstyle file twice", "checkstyle", `<checkstyle version="4.3"><file name="a"></file><file name="a"></file></checkstyle>`, "twice"},
		{"checkstyle line 0", "checkstyle", `<checkstyle version="4.3"><file name="a"><error line="0" severity="info" message="m" source="dockvet.DV100"/></file></checkstyle>`, "line"},
		{"checkstyle trailing element", "checkstyle", `<checkstyle version="4.3"></checkstyle><x/>`, "after the root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.format, []byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestGitHubMatcherDropsUnknownSeverities models the runner: a matcher whose
// severity group captures "info" loses the line, which is why dockvet ships
// a second matcher for info findings.
func TestGitHubMatcherDropsUnknownSeverities(t *testing.T) {
	one := []Matcher{{Owner: "x", Regexp: regexp.MustCompile(`^(.+?):(\d+):(\d+): (error|warning|info): (.*) \[(DV\d+)\]$`),
		File: 1, Line: 2, Column: 3, Severity: 4, Message: 5, Code: 6}}
	p, _ := MatchGitHub(one, "Dockerfile:1:2: info: m [DV302]")
	if p.Severity != "" {
		t.Errorf("severity %q, want the line dropped", p.Severity)
	}
	path := filepath.Join("..", "..", "..", ".github", "dockvet-problem-matcher.json")
	shipped, err := LoadGitHubMatchers(path)
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[string]Problem{
		"Dockerfile:1:2: info: m [DV302]":                {File: "Dockerfile", Line: 1, Column: 2, Severity: "info", Message: "m", Code: "DV302"},
		"a:1/Dockerfile:3:4: error: x: warning: y [DV1]": {File: "a:1/Dockerfile", Line: 3, Column: 4, Severity: "error", Message: "x: warning: y", Code: "DV1"},
		"img@sha256:ab: warning: m [DV100]":              {File: "img@sha256:ab", Severity: "warning", Message: "m", Code: "DV100"},
	} {
		if got, ok := MatchGitHub(shipped, line); !ok || got != want {
			t.Errorf("%q: got %+v, want %+v", line, got, want)
		}
	}
}

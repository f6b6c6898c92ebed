package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/report/formatcheck"
	"github.com/dockvet/dockvet/internal/source"
)

// hostileCIResult has what breaks naive writers: file names with ',', ':',
// '%', spaces, quotes and non-ASCII; messages with '%', CR, LF, XML and
// Markdown specials, a control character and invalid UTF-8; a finding
// without a line, related locations, a fix, and a file error.
func hostileCIResult() *finding.Result {
	rng := func(l, c, el, ec int) source.Range {
		return source.Range{Start: source.Pos{Line: l, Col: c}, End: source.Pos{Line: el, Col: ec}}
	}
	return &finding.Result{
		Findings: []finding.Finding{
			{RuleID: "DV100", RuleName: "volume-instruction", Severity: finding.SeverityWarning,
				File: "a,b:c/Docker file", Range: rng(2, 8, 2, 13),
				Message: "100% sure\nsecond line\r\nthird: a, b",
				Related: []finding.Related{{File: "a,b:c/Docker file", Range: rng(1, 1, 1, 5), Message: "declared here"}, {File: "other:file", Range: rng(4, 2, 4, 3)}},
				Fix:     &finding.Fix{Description: "delete it", Edits: []finding.Edit{{Range: rng(2, 1, 3, 1)}}}},
			{RuleID: "DV200", RuleName: "latest-tag", Severity: finding.SeverityError,
				File: "a,b:c/Docker file", Range: rng(3, 6, 3, 12),
				Message: `quotes " ' and <tags> & | pipes *stars* _under_ ` + "`tick`",
				Fix:     &finding.Fix{Description: "pin", Edits: []finding.Edit{{Range: rng(3, 6, 3, 12), NewText: "3.20"}}}},
			{RuleID: "DV302", RuleName: "root-user", Severity: finding.SeverityInfo,
				File: "dir/%41é.Dockerfile", Range: rng(1, 1, 1, 10),
				Message: "control \x01 char and bad \xff\xfe utf-8"},
			{RuleID: "DV302", RuleName: "root-user", Severity: finding.SeverityWarning,
				File: "img:1", Message: "no line at all"},
		},
		Errors: []finding.FileError{{File: "missing, dir:x/Dockerfile", Message: "open: no such file\nor directory 50%"}},
		Sources: map[string][]string{
			"a,b:c/Docker file": {"FROM alpine", "VOLUME /data", "FROM alpine:latest"},
		},
	}
}

func renderCI(t *testing.T, format string, res *finding.Result, opts Options) string {
	t.Helper()
	fn, err := Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := fn(&b, res, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestCIFormatsRoundTripHostileInput: every CI format, read back by its
// consumer's rules, carries exactly the JSON findings of hostileCIResult.
func TestCIFormatsRoundTripHostileInput(t *testing.T) {
	res := hostileCIResult()
	want, err := formatcheck.Parse("json", []byte(renderCI(t, "json", res, Options{})))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range formatcheck.Formats {
		t.Run(format, func(t *testing.T) {
			out := renderCI(t, format, res, Options{})
			got, err := formatcheck.Parse(format, []byte(out))
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if err := formatcheck.Compare(format, want, got, CarriesErrors(format)); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
		})
	}
}

// TestGitHubEscaping pins GitHub's escaping: data escapes '%', CR and LF;
// properties also ':' and ','.
func TestGitHubEscaping(t *testing.T) {
	out := renderCI(t, "github", hostileCIResult(), Options{})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []string{
		"::warning file=a%2Cb%3Ac/Docker file,line=2,col=8,endLine=2,endColumn=13,title=DV100 volume-instruction::100%25 sure%0Asecond line%0D%0Athird: a, b",
		"::error file=a%2Cb%3Ac/Docker file,line=3,col=6,endLine=3,endColumn=12,title=DV200 latest-tag::quotes \" ' and <tags> & | pipes *stars* _under_ `tick`",
		"::notice file=dir/%2541é.Dockerfile,line=1,col=1,endLine=1,endColumn=10,title=DV302 root-user::control \\x01 char and bad \uFFFD\uFFFD utf-8",
		"::warning file=img%3A1,title=DV302 root-user::no line at all",
		"::error file=missing%2C dir%3Ax/Dockerfile::open: no such file%0Aor directory 50%25",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %q\nwant %q", i, lines[i], want[i])
		}
	}
}

// TestGitHubStepSummaryTable: the summary is appended, one row per finding,
// with cells that no message can break out of.
func TestGitHubStepSummaryTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(path, []byte("before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "GITHUB_STEP_SUMMARY" {
			return path
		}
		return ""
	}
	renderCI(t, "github", hostileCIResult(), Options{Getenv: env})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	for _, want := range []string{
		"before\n### dockvet: 4 findings (1 error, 2 warnings, 1 info) in 3 files, 1 file not linted\n",
		"| warning | DV100 volume-instruction | a,b:c/Docker file:2:8 | 100% sure<br>second line<br>third: a, b |\n",
		"| error | DV200 latest-tag | a,b:c/Docker file:3:6 | quotes \" ' and &lt;tags&gt; &amp; \\| pipes \\*stars\\* \\_under\\_ \\`tick\\` |\n",
		"| missing, dir:x/Dockerfile | open: no such file<br>or directory 50% |\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	// Every table line has exactly the cell separators of its header.
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "| ") {
			if n := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|"); n != 5 && n != 3 {
				t.Errorf("row with %d separators: %q", n, l)
			}
		}
	}
	// No Getenv: nothing is written anywhere.
	before := got
	renderCI(t, "github", hostileCIResult(), Options{})
	if data, _ := os.ReadFile(path); string(data) != before {
		t.Error("summary written without Getenv")
	}
}

// TestSARIFKeepsUnderGitHubResultLimit: past the per-run limit the most
// severe findings are kept, in order, and a notification counts the rest.
func TestSARIFKeepsUnderGitHubResultLimit(t *testing.T) {
	res := hostileCIResult()
	log := buildSARIF(res, Options{}, 2)
	run := log.Runs[0]
	if len(run.Results) != 2 {
		t.Fatalf("%d results, want 2", len(run.Results))
	}
	// The error (DV200) and the first of the two warnings (DV100), in output order.
	if run.Results[0].RuleID != "DV100" || run.Results[1].RuleID != "DV200" {
		t.Errorf("kept %s, %s; want DV100, DV200", run.Results[0].RuleID, run.Results[1].RuleID)
	}
	notes := run.Invocations[0].ToolExecutionNotifications
	if len(notes) != 2 || !strings.HasPrefix(notes[1].Message.Text, "2 of 4 findings left out") {
		t.Errorf("notifications: %+v", notes)
	}
	var b bytes.Buffer
	if err := encodeJSON(&b, log); err != nil {
		t.Fatal(err)
	}
	if err := formatcheck.ValidateSARIF(b.Bytes()); err != nil {
		t.Error(err)
	}
}

// TestSARIFLocations pins artifact URIs and regions: relative paths under
// %SRCROOT% with ':' and '%' encoded, absolute paths under the working
// directory made relative, others file: URIs, image references without a
// base, and no region without a line.
func TestSARIFLocations(t *testing.T) {
	tests := []struct {
		file   string
		opts   Options
		uri    string
		baseID string
	}{
		{"Dockerfile", Options{}, "Dockerfile", srcRoot},
		{"a:b/Docker file%", Options{}, "a%3Ab/Docker%20file%25", srcRoot},
		{"/work/repo/svc/Dockerfile", Options{WorkDir: "/work/repo"}, "svc/Dockerfile", srcRoot},
		{"/elsewhere/Dockerfile", Options{WorkDir: "/work/repo"}, "file:///elsewhere/Dockerfile", ""},
		{"/work/repo/Dockerfile", Options{}, "file:///work/repo/Dockerfile", ""},
		{"registry:5000/app:1", Options{Images: true}, "registry%3A5000/app%3A1", ""},
	}
	for _, tt := range tests {
		got := artifactLocation(tt.file, tt.opts)
		if got.URI != tt.uri || got.URIBaseID != tt.baseID {
			t.Errorf("%q: got %+v, want uri %q base %q", tt.file, got, tt.uri, tt.baseID)
		}
	}
	if r := sarifRegionOf(source.Range{}); r != nil {
		t.Errorf("region without a line: %+v", r)
	}
	r := sarifRegionOf(source.Range{Start: source.Pos{Line: 3, Col: 5}, End: source.Pos{Line: 4, Col: 2}})
	if *r != (sarifRegion{StartLine: 3, StartColumn: 5, EndLine: 4, EndColumn: 2}) {
		t.Errorf("region %+v", r)
	}
}

// TestFingerprintsIgnoreLinePosition: the same content moved down keeps its
// fingerprint; identical lines get distinct ones; no source falls back to
// the message.
func TestFingerprintsIgnoreLinePosition(t *testing.T) {
	f := func(line int) finding.Finding {
		return finding.Finding{RuleID: "DV100", File: "Dockerfile", Message: "m",
			Range: source.Range{Start: source.Pos{Line: line, Col: 1}, End: source.Pos{Line: line, Col: 5}}}
	}
	a := newFingerprinter(map[string][]string{"Dockerfile": {"FROM x", "VOLUME /a", "VOLUME /a"}})
	b := newFingerprinter(map[string][]string{"Dockerfile": {"# new", "FROM x", "", "  VOLUME   /a", "RUN y", "VOLUME /a"}})
	a1, a2 := a.lineHash(f(2)), a.lineHash(f(3))
	b1, b2 := b.lineHash(f(4)), b.lineHash(f(6))
	if a1 != b1 || a2 != b2 {
		t.Errorf("moved lines changed fingerprints: %s %s -> %s %s", a1, a2, b1, b2)
	}
	if a1 == a2 {
		t.Errorf("identical lines share fingerprint %s", a1)
	}
	c := newFingerprinter(nil)
	if c.lineHash(f(2)) == a1 {
		t.Error("without a source the fingerprint should come from the message")
	}
}

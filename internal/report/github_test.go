package report

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

// githubUnescape undoes the runner's escaping of a command's data or of a
// property value, as actions/runner's ActionCommand does.
func githubUnescape(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

// TestGitHubHostileCharacters: the runner echoes annotations into the job's
// log, which renders ANSI, and GitHub renders the step summary: ESC, C1
// controls and bidirectional overrides in a file name or message reach
// neither raw. Read back with the runner's own unescaping, the annotation
// holds the text as Escape writes it (line ends kept, as GitHub shows them).
func TestGitHubHostileCharacters(t *testing.T) {
	name := "evil\x1b[31m\u202egpj.Dockerfile"
	message := "VOLUME \x1b]0;pwned\x07 \u009b2J from base\nsecond \u2066line\u2069"
	res := &finding.Result{
		Files: 1,
		Findings: []finding.Finding{{
			RuleID: "DV102", RuleName: "base-volume", Severity: finding.SeverityWarning, File: name,
			Range: source.Range{Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 5}}, Message: message,
		}},
		Errors: []finding.FileError{{File: name, Message: "open " + name + ": denied"}},
	}
	summary := filepath.Join(t.TempDir(), "summary.md")
	out := renderCI(t, "github", res, Options{Getenv: func(k string) string {
		if k == "GITHUB_STEP_SUMMARY" {
			return summary
		}
		return ""
	}})
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	raw := regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
	for what, text := range map[string]string{"annotations": out, "step summary": string(md)} {
		if loc := raw.FindStringIndex(text); loc != nil {
			t.Errorf("%s: raw %q in:\n%s", what, text[loc[0]:loc[1]], text)
		}
	}

	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 commands:\n%s", out)
	}
	props, data, ok := strings.Cut(strings.TrimPrefix(lines[0], "::warning "), "::")
	if !ok {
		t.Fatalf("not a command: %q", lines[0])
	}
	if got, want := githubUnescape(data), Escape("VOLUME \x1b]0;pwned\x07 \u009b2J from base")+"\n"+Escape("second \u2066line\u2069"); got != want {
		t.Errorf("message read back = %q, want %q", got, want)
	}
	file, _, _ := strings.Cut(strings.TrimPrefix(props, "file="), ",")
	if got, want := githubUnescape(file), Escape(name); got != want {
		t.Errorf("file read back = %q, want %q", got, want)
	}
	if want := `| evil\x1b\[31m\u202egpj.Dockerfile | open evil\x1b\[31m\u202egpj.Dockerfile: denied |`; !strings.Contains(string(md), want) {
		t.Errorf("summary lacks %q:\n%s", want, md)
	}
}

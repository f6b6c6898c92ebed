package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/report"
	"github.com/dockvet/dockvet/internal/report/formatcheck"
)

// TestCIFormatsGolden pins the output of each CI format on the bundled
// examples and on the test image.
func TestCIFormatsGolden(t *testing.T) {
	for _, format := range formatcheck.Formats {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", "lint", "-f", format, "examples")
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr: %s", code, errOut)
			}
			golden(t, "examples."+format, out)
		})
	}
	root := inImageDir(t)
	for _, format := range formatcheck.Formats {
		t.Run("image/"+format, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", "image", "-f", format, "oci-layout:app:v1")
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr: %s", code, errOut)
			}
			imageGolden(t, root, "image."+format, out)
		})
	}
}

// TestCIFormatsCarryTheJSONFindings runs each format and json on the same
// input and requires the same findings in the same order, the same exit
// code, and file errors where the format carries them (stderr otherwise),
// each format read by its consumer's rules (formatcheck).
func TestCIFormatsCarryTheJSONFindings(t *testing.T) {
	inputs := []struct {
		name string
		args []string
	}{
		{"examples", []string{"lint", "examples"}},
		{"bad with missing file", []string{"lint", "examples/bad/Dockerfile", "does/not/exist/Dockerfile"}},
		{"fail-on none", []string{"lint", "--fail-on", "none", "examples"}},
		{"good", []string{"lint", "examples/good/Dockerfile"}},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			wantCode, jsonOut, _ := runCLI(t, "", append(in.args, "-f", "json")...)
			want, err := formatcheck.Parse("json", []byte(jsonOut))
			if err != nil {
				t.Fatal(err)
			}
			for _, format := range formatcheck.Formats {
				code, out, errOut := runCLI(t, "", append(in.args, "-f", format)...)
				if code != wantCode {
					t.Errorf("%s: exit %d, json exits %d", format, code, wantCode)
				}
				got, err := formatcheck.Parse(format, []byte(out))
				if err != nil {
					t.Errorf("%s: %v\n%s", format, err, out)
					continue
				}
				carries := report.CarriesErrors(format)
				if err := formatcheck.Compare(format, want, got, carries); err != nil {
					t.Error(err)
				}
				for _, f := range want.Errors {
					if onStderr := strings.Contains(errOut, f+": error:"); onStderr == carries {
						t.Errorf("%s: file error for %s on stderr: %v, want %v", format, f, onStderr, !carries)
					}
				}
			}
		})
	}
	t.Run("image", func(t *testing.T) {
		inImageDir(t)
		args := []string{"image", "oci-layout:app:v1", "oci-layout:nope"}
		wantCode, jsonOut, _ := runCLI(t, "", append(args, "-f", "json")...)
		want, err := formatcheck.Parse("json", []byte(jsonOut))
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Errors) != 1 || len(want.Findings) == 0 {
			t.Fatalf("want findings and one error, got %+v", want)
		}
		for _, format := range formatcheck.Formats {
			code, out, _ := runCLI(t, "", append(args, "-f", format)...)
			if code != wantCode {
				t.Errorf("%s: exit %d, json exits %d", format, code, wantCode)
			}
			got, err := formatcheck.Parse(format, []byte(out))
			if err != nil {
				t.Errorf("%s: %v\n%s", format, err, out)
				continue
			}
			if err := formatcheck.Compare(format, want, got, report.CarriesErrors(format)); err != nil {
				t.Error(err)
			}
		}
	})
}

// TestFingerprintsSurviveInsertedLines edits a Dockerfile above and between
// its findings and requires SARIF's primaryLocationLineHash and GitLab's
// fingerprint of every finding to stay the same.
func TestFingerprintsSurviveInsertedLines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	before := "FROM alpine:latest\nVOLUME /data\nVOLUME /data\nCMD run\n"
	after := "# syntax=docker/dockerfile:1\n\n# a comment\nFROM alpine:latest\n\nRUN echo unrelated\nVOLUME /data\n# between\nVOLUME /data\n\nCMD run\n"
	fingerprints := func(content string) (sarif, gitlab map[string]string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, sarifOut, _ := runCLI(t, "", "lint", "-f", "sarif", "--fail-on", "none", path)
		_, gitlabOut, _ := runCLI(t, "", "lint", "-f", "gitlab", "--fail-on", "none", path)
		_, jsonOut, _ := runCLI(t, "", "lint", "-f", "json", "--fail-on", "none", path)
		res, err := formatcheck.Parse("json", []byte(jsonOut))
		if err != nil {
			t.Fatal(err)
		}
		sfp, err := formatcheck.SARIFFingerprints([]byte(sarifOut))
		if err != nil {
			t.Fatal(err)
		}
		gfp, err := formatcheck.GitLabFingerprints([]byte(gitlabOut))
		if err != nil {
			t.Fatal(err)
		}
		if len(sfp) != len(res.Findings) || len(gfp) != len(res.Findings) {
			t.Fatalf("%d findings, %d SARIF and %d GitLab fingerprints", len(res.Findings), len(sfp), len(gfp))
		}
		// Keyed by what identifies a finding apart from its line: the rule,
		// the message and its rank among the findings with both.
		sarif, gitlab = map[string]string{}, map[string]string{}
		rank := map[string]int{}
		for i, f := range res.Findings {
			id := f.Rule + " " + f.Message
			rank[id]++
			id += " #" + strconv.Itoa(rank[id])
			sarif[id], gitlab[id] = sfp[i], gfp[i]
		}
		return sarif, gitlab
	}
	s1, g1 := fingerprints(before)
	s2, g2 := fingerprints(after)
	if len(s1) < 3 {
		t.Fatalf("want at least 3 findings to compare, got %v", s1)
	}
	for id, fp := range s1 {
		if s2[id] != fp {
			t.Errorf("SARIF fingerprint of %q changed: %s -> %s", id, fp, s2[id])
		}
		if g2[id] != g1[id] {
			t.Errorf("GitLab fingerprint of %q changed: %s -> %s", id, g1[id], g2[id])
		}
	}
	// The two identical VOLUME lines must still be told apart.
	seen := map[string]bool{}
	for _, fp := range s1 {
		if seen[fp] {
			t.Errorf("SARIF fingerprint %s repeats", fp)
		}
		seen[fp] = true
	}
}

// TestGitHubStepSummary: with GITHUB_STEP_SUMMARY set, the github format
// appends a Markdown table of the findings to that file.
func TestGitHubStepSummary(t *testing.T) {
	summary := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLIEnv(t, map[string]string{"DOCKVET_OFFLINE": "1", "GITHUB_STEP_SUMMARY": summary},
		"", "lint", "-f", "github", "examples/bad/Dockerfile")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	rows := strings.Count(got, "\n| ") - 1 // less the header row
	if !strings.HasPrefix(got, "earlier step\n") || !strings.Contains(got, "### dockvet: ") ||
		rows != strings.Count(out, "\n") {
		t.Errorf("summary has %d rows for %d annotations:\n%s", rows, strings.Count(out, "\n"), got)
	}
	if !strings.Contains(got, "| warning | DV200 latest-tag | examples/bad/Dockerfile:4:13 |") {
		t.Errorf("summary lacks the DV200 row:\n%s", got)
	}
}

// TestProblemMatchersKeepEverySeverity runs the shipped problem matchers
// (GitHub Actions and the VS Code tasks.json example) over real gnu output
// and requires every line to be matched with the file, line, column,
// severity, message and rule of the finding that JSON reports.
func TestProblemMatchersKeepEverySeverity(t *testing.T) {
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	github, err := formatcheck.LoadGitHubMatchers(filepath.Join(root, ".github", "dockvet-problem-matcher.json"))
	if err != nil {
		t.Fatal(err)
	}
	vscode, err := formatcheck.LoadVSCodeMatcher(filepath.Join(root, "docs", "vscode", "tasks.json"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, args ...string) {
		t.Helper()
		_, gnu, _ := runCLI(t, "", append(args, "-f", "gnu")...)
		_, jsonOut, _ := runCLI(t, "", append(args, "-f", "json")...)
		want, err := formatcheck.Parse("json", []byte(jsonOut))
		if err != nil {
			t.Fatal(err)
		}
		severities := map[string]bool{}
		lines := 0
		sc := bufio.NewScanner(strings.NewReader(gnu))
		for i := 0; sc.Scan(); i++ {
			lines++
			if i >= len(want.Findings) {
				t.Fatalf("more gnu lines than findings: %q", sc.Text())
			}
			k := want.Findings[i]
			wantP := formatcheck.Problem{File: report.Escape(k.File), Line: k.Line, Column: k.Col,
				Severity: k.Severity, Message: report.Escape(k.Message), Code: k.Rule}
			if k.Line == 0 {
				wantP.Column = 0 // gnu prints no column without a line
			}
			severities[k.Severity] = true
			if p, ok := formatcheck.MatchGitHub(github, sc.Text()); !ok || p != wantP {
				t.Errorf("GitHub matcher on %q:\n got %+v (matched %v)\nwant %+v", sc.Text(), p, ok, wantP)
			}
			if p, ok := formatcheck.MatchVSCode(vscode, sc.Text()); !ok || p != wantP {
				t.Errorf("VS Code matcher on %q:\n got %+v (matched %v)\nwant %+v", sc.Text(), p, ok, wantP)
			}
		}
		if lines != len(want.Findings) {
			t.Errorf("%d gnu lines for %d findings", lines, len(want.Findings))
		}
		t.Logf("%d lines, severities %v", lines, severities)
	}
	t.Run("examples", func(t *testing.T) {
		check(t, "lint", "--enable", "DV203", "examples")
	})
	t.Run("severities", func(t *testing.T) {
		// One finding of each severity at least.
		check(t, "lint", "--severity", "DV200=error", "--severity", "DV402=info", "examples/bad/Dockerfile")
	})
	t.Run("image", func(t *testing.T) {
		inImageDir(t)
		check(t, "image", "oci-layout:app:v1")
	})
}

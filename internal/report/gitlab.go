package report

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"

	"github.com/dockvet/dockvet/internal/finding"
)

// GitLab Code Quality report: a JSON array of issues with the fields GitLab
// documents as required (description, check_name, fingerprint, severity,
// location.path, location.lines.begin).

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
	End   int `json:"end"`
}

// gitlabSeverity maps dockvet severities to GitLab's scale (info, minor,
// major, critical, blocker) as the SPEC fixes it.
func gitlabSeverity(s finding.Severity) string {
	switch s {
	case finding.SeverityError:
		return "major"
	case finding.SeverityWarning:
		return "minor"
	}
	return "info"
}

// writeGitLab writes the report; file errors go to stderr (the caller), as
// the format has no place for them. A finding without a line (an image config
// finding) is placed on line 1: GitLab needs a line.
func writeGitLab(w io.Writer, res *finding.Result, opts Options) error {
	return writeResult(newGitLabStream(w, opts), res)
}

// gitlabStream keeps the issues (the fingerprints taken from each file's
// source as the file comes) and writes the array at Close.
type gitlabStream struct {
	w      io.Writer
	issues []gitlabIssue
	fp     *fingerprinter
}

func newGitLabStream(w io.Writer, _ Options) Stream {
	return &gitlabStream{w: w, issues: []gitlabIssue{}, fp: newFingerprinter(nil)}
}

func (s *gitlabStream) File(fs []finding.Finding, src []string) error {
	for _, f := range fs {
		begin := max(f.Range.Start.Line, 1)
		lines := gitlabLines{Begin: begin, End: max(f.Range.End.Line, begin)}
		s.issues = append(s.issues, gitlabIssue{
			Description: f.Message,
			CheckName:   f.RuleID,
			Fingerprint: gitlabFingerprint(f, s.fp, src),
			Severity:    gitlabSeverity(f.Severity),
			Location:    gitlabLocation{Path: f.File, Lines: lines},
		})
	}
	return nil
}

func (s *gitlabStream) Close([]finding.FileError, int) error { return encodeJSON(s.w, s.issues) }

// gitlabFingerprint is unique in the report (the path, and the rule, flagged
// text and occurrence that fingerprinter hashes) and stable when unrelated
// lines move, which is what GitLab compares between a merge request and its
// target branch.
func gitlabFingerprint(f finding.Finding, fp *fingerprinter, src []string) string {
	hash, n := fp.nextIn(f, src)
	sum := sha256.Sum256([]byte(f.File + "\x00" + hash + "\x00" + strconv.Itoa(n)))
	return hex.EncodeToString(sum[:16])
}

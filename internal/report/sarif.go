package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

// SARIF 2.1.0 as GitHub code scanning and other SARIF viewers read it. The
// sarif* types fix the wire shape; optional members are omitted when empty.

const (
	sarifVersion = "2.1.0"
	// sarifSchemaURI is the OASIS schema (errata 01) the output validates
	// against; a copy is vendored in formatcheck/testdata.
	sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// srcRoot is the base of relative artifact URIs: the working directory
	// the paths were given in (GitHub maps it to the checkout).
	srcRoot = "%SRCROOT%"
	// sarifMaxResults is GitHub code scanning's hard limit of results per
	// run: a run with more is rejected whole. Past it the most severe
	// findings are kept and a notification says how many were left out.
	sarifMaxResults = 25000
	// sarifMaxRelated keeps each result under GitHub's 1,000 locations.
	sarifMaxRelated = 1000
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	// ColumnKind: dockvet counts columns in Unicode characters, not the
	// SARIF default of UTF-16 code units.
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string                `json:"name"`
	Version        string                `json:"version,omitempty"`
	InformationURI string                `json:"informationUri,omitempty"`
	Rules          []sarifRuleDescriptor `json:"rules"`
}

type sarifRuleDescriptor struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     *sarifMessage      `json:"shortDescription,omitempty"`
	FullDescription      *sarifMessage      `json:"fullDescription,omitempty"`
	HelpURI              string             `json:"helpUri,omitempty"`
	Help                 *sarifMessage      `json:"help,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Fixes               []sarifFix        `json:"fixes,omitempty"`
}

type sarifLocation struct {
	ID               *int                  `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifMessage         `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifFix struct {
	Description     sarifMessage          `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Replacements     []sarifReplacement    `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion   `json:"deletedRegion"`
	InsertedContent *sarifMessage `json:"insertedContent,omitempty"`
}

// sarifLevel maps dockvet severities to SARIF levels (info is "note").
func sarifLevel(s finding.Severity) string {
	switch s {
	case finding.SeverityError:
		return "error"
	case finding.SeverityWarning:
		return "warning"
	case finding.SeverityInfo:
		return "note"
	}
	return "none"
}

func writeSARIF(w io.Writer, res *finding.Result, opts Options) error {
	return writeResult(newSARIFStream(w, opts), res)
}

// sarifStream keeps the findings and their line hashes (taken from each
// file's source as the file comes), not the sources, and writes the log at
// Close: results are capped by severity over the whole run.
type sarifStream struct {
	w        io.Writer
	opts     Options
	findings []finding.Finding
	hashes   []string
	fp       *fingerprinter
}

func newSARIFStream(w io.Writer, opts Options) Stream {
	return &sarifStream{w: w, opts: opts, fp: newFingerprinter(nil)}
}

func (s *sarifStream) File(fs []finding.Finding, lines []string) error {
	for _, f := range fs {
		// Fingerprints count occurrences over every finding, kept or not,
		// so that they do not depend on the cap.
		s.hashes = append(s.hashes, s.fp.lineHashIn(f, lines))
	}
	s.findings = append(s.findings, fs...)
	return nil
}

func (s *sarifStream) Close(errs []finding.FileError, _ int) error {
	return encodeJSON(s.w, buildSARIFLog(s.findings, s.hashes, errs, s.opts, sarifMaxResults))
}

// buildSARIF assembles the log of a whole result; maxResults is
// sarifMaxResults except in tests.
func buildSARIF(res *finding.Result, opts Options, maxResults int) sarifLog {
	fp := newFingerprinter(res.Sources)
	hashes := make([]string, len(res.Findings))
	for i, f := range res.Findings {
		hashes[i] = fp.lineHash(f)
	}
	return buildSARIFLog(res.Findings, hashes, res.Errors, opts, maxResults)
}

// buildSARIFLog assembles the log from the findings and their line hashes.
func buildSARIFLog(findings []finding.Finding, hashes []string, errs []finding.FileError, opts Options, maxResults int) sarifLog {
	tool := opts.Tool
	if tool.Name == "" {
		tool.Name = "dockvet"
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: tool.Name, Version: tool.Version, InformationURI: tool.InformationURI,
			Rules: []sarifRuleDescriptor{},
		}},
		ColumnKind: "unicodeCodePoints",
		Results:    []sarifResult{},
	}
	ruleIndex := map[string]int{}
	addRule := func(d sarifRuleDescriptor) {
		if _, ok := ruleIndex[d.ID]; !ok {
			ruleIndex[d.ID] = len(run.Tool.Driver.Rules)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, d)
		}
	}
	for _, r := range opts.Rules {
		addRule(sarifRuleFromInfo(r))
	}

	kept := keepMostSevere(findings, maxResults)
	for i, f := range findings {
		lineHash := hashes[i]
		if !kept[i] {
			continue
		}
		// A finding from a rule the caller did not describe (it cannot
		// happen through the CLI) still gets a descriptor, so that every
		// ruleIndex is valid.
		addRule(sarifRuleDescriptor{
			ID: f.RuleID, Name: f.RuleName,
			DefaultConfiguration: sarifConfiguration{Level: sarifLevel(f.Severity)},
		})
		run.Results = append(run.Results, sarifResultOf(f, ruleIndex[f.RuleID], lineHash, opts))
	}

	inv := sarifInvocation{ExecutionSuccessful: len(errs) == 0}
	for _, e := range errs {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:   "error",
			Message: sarifMessage{Text: e.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: artifactLocation(e.File, opts),
			}}},
		})
	}
	if omitted := len(findings) - len(run.Results); omitted > 0 {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level: "warning",
			Message: sarifMessage{Text: fmt.Sprintf(
				"%d of %d findings left out: GitHub code scanning rejects a run of more than %d results; the most severe are kept (-f json has them all)",
				omitted, len(findings), maxResults)},
		})
	}
	run.Invocations = []sarifInvocation{inv}
	return sarifLog{Schema: sarifSchemaURI, Version: sarifVersion, Runs: []sarifRun{run}}
}

// keepMostSevere marks which findings fit under max: all of them when they
// fit, else the most severe ones (earlier ones first within a severity).
func keepMostSevere(fs []finding.Finding, max int) []bool {
	kept := make([]bool, len(fs))
	if len(fs) <= max {
		for i := range kept {
			kept[i] = true
		}
		return kept
	}
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(fs[b].Severity, fs[a].Severity) })
	for _, i := range order[:max] {
		kept[i] = true
	}
	return kept
}

func sarifRuleFromInfo(r RuleInfo) sarifRuleDescriptor {
	d := sarifRuleDescriptor{
		ID: r.ID, Name: r.Name, HelpURI: r.HelpURI,
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(r.DefaultSeverity)},
	}
	if r.Summary != "" {
		d.ShortDescription = &sarifMessage{Text: r.Summary}
	}
	if full := cmp.Or(unwrapParagraphs(r.Doc), r.Summary); full != "" {
		d.FullDescription = &sarifMessage{Text: full}
	}
	if r.Help != "" {
		d.Help = &sarifMessage{Text: r.Help}
	}
	return d
}

// unwrapParagraphs joins the hard-wrapped lines of each paragraph, so that
// viewers can wrap the text to their own width.
func unwrapParagraphs(s string) string {
	paras := strings.Split(strings.TrimSpace(s), "\n\n")
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.TrimSpace(strings.Join(paras, "\n\n"))
}

func sarifResultOf(f finding.Finding, ruleIndex int, lineHash string, opts Options) sarifResult {
	r := sarifResult{
		RuleID:    f.RuleID,
		RuleIndex: ruleIndex,
		Level:     sarifLevel(f.Severity),
		Message:   sarifMessage{Text: f.Message},
		Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
			ArtifactLocation: artifactLocation(f.File, opts),
			Region:           sarifRegionOf(f.Range),
		}}},
		PartialFingerprints: map[string]string{"primaryLocationLineHash": lineHash},
	}
	for i, rel := range f.Related {
		if i == sarifMaxRelated {
			break
		}
		id := i + 1
		file := cmp.Or(rel.File, f.File)
		r.RelatedLocations = append(r.RelatedLocations, sarifLocation{
			ID: &id,
			PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: artifactLocation(file, opts),
				Region:           sarifRegionOf(rel.Range),
			},
			Message: messageOrNil(rel.Message),
		})
	}
	if f.Fix != nil && len(f.Fix.Edits) > 0 {
		change := sarifArtifactChange{ArtifactLocation: artifactLocation(f.File, opts)}
		for _, e := range f.Fix.Edits {
			region := sarifRegionOf(e.Range)
			if region == nil {
				continue // an edit needs a place; none of ours lacks one
			}
			rep := sarifReplacement{DeletedRegion: *region}
			if e.NewText != "" {
				rep.InsertedContent = &sarifMessage{Text: e.NewText}
			}
			change.Replacements = append(change.Replacements, rep)
		}
		if len(change.Replacements) > 0 {
			r.Fixes = []sarifFix{{
				Description:     sarifMessage{Text: f.Fix.Description},
				ArtifactChanges: []sarifArtifactChange{change},
			}}
		}
	}
	return r
}

func messageOrNil(s string) *sarifMessage {
	if s == "" {
		return nil
	}
	return &sarifMessage{Text: s}
}

// sarifRegionOf carries the range exactly as the JSON format prints it; no
// line (an image config finding) is no region, and unknown parts are left
// out rather than invented.
func sarifRegionOf(r source.Range) *sarifRegion {
	if r.Start.Line <= 0 {
		return nil
	}
	reg := &sarifRegion{StartLine: r.Start.Line}
	if r.Start.Col > 0 {
		reg.StartColumn = r.Start.Col
	}
	if r.End.Line >= r.Start.Line {
		reg.EndLine = r.End.Line
		if r.End.Col > 0 && (r.End.Line > r.Start.Line || r.End.Col >= r.Start.Col) {
			reg.EndColumn = r.End.Col
		}
	}
	return reg
}

// artifactLocation names a file relative to %SRCROOT% (the working
// directory), an absolute path outside it as a file: URI, and an image
// reference as itself. Paths are percent-encoded, ':' included, so that no
// file name reads as a URI scheme.
func artifactLocation(file string, opts Options) sarifArtifactLocation {
	if opts.Images {
		return sarifArtifactLocation{URI: escapeURIPath(file)}
	}
	p := file
	if filepath.IsAbs(p) {
		rel, err := filepath.Rel(opts.WorkDir, p)
		if opts.WorkDir == "" || err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			u := url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
			if !strings.HasPrefix(u.Path, "/") {
				u.Path = "/" + u.Path // a Windows drive path
			}
			return sarifArtifactLocation{URI: u.String()}
		}
		p = rel
	}
	return sarifArtifactLocation{URI: escapeURIPath(filepath.ToSlash(p)), URIBaseID: srcRoot}
}

// escapeURIPath percent-encodes a slash-separated path for a relative URI
// reference: each segment with url.PathEscape, and ':' too, which
// PathEscape keeps but which would make "a:b/Dockerfile" read as scheme "a".
func escapeURIPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.Join(segs, "/")
}

// encodeJSON writes v indented, without HTML escaping, ending in a newline.
// encoding/json replaces invalid UTF-8 with U+FFFD, so the output is valid
// JSON whatever the messages hold.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

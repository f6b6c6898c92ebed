package formatcheck

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchemaJSON is the OASIS SARIF 2.1.0 schema (errata 01, JSON Schema
// draft-04), as published by OASIS; see testdata/README.md for its origin.
//
//go:embed testdata/sarif-schema-2.1.0.json
var sarifSchemaJSON []byte

const sarifSchemaID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

var sarifSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(sarifSchemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // uri and uri-reference are checked, as a strict consumer would
	if err := c.AddResource(sarifSchemaID, doc); err != nil {
		return nil, err
	}
	return c.Compile(sarifSchemaID)
})

// GitHub code scanning's hard limits on an uploaded SARIF file (a file over
// one is rejected), and its one-location-per-result convention.
const (
	githubMaxRuns            = 20
	githubMaxResultsPerRun   = 25000
	githubMaxRulesPerRun     = 25000
	githubMaxLocationsResult = 1000
)

// ValidateSARIF checks doc against the OASIS schema.
func ValidateSARIF(doc []byte) error {
	schema, err := sarifSchema()
	if err != nil {
		return fmt.Errorf("sarif schema: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	if err := schema.Validate(inst); err != nil {
		return fmt.Errorf("sarif does not validate against the OASIS schema: %w", err)
	}
	return nil
}

type sarifDoc struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID                   string                 `json:"id"`
					HelpURI              string                 `json:"helpUri"`
					Help                 *struct{ Text string } `json:"help"`
					DefaultConfiguration struct{ Level string } `json:"defaultConfiguration"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExecutionSuccessful        bool `json:"executionSuccessful"`
			ToolExecutionNotifications []struct {
				Level     string          `json:"level"`
				Locations []sarifLocation `json:"locations"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Results []struct {
			RuleID              string                `json:"ruleId"`
			RuleIndex           *int                  `json:"ruleIndex"`
			Level               string                `json:"level"`
			Message             struct{ Text string } `json:"message"`
			Locations           []sarifLocation       `json:"locations"`
			RelatedLocations    []sarifLocation       `json:"relatedLocations"`
			PartialFingerprints map[string]string     `json:"partialFingerprints"`
			Fixes               []struct {
				Description     struct{ Text string } `json:"description"`
				ArtifactChanges []struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Replacements []struct {
						DeletedRegion struct {
							StartLine, StartColumn, EndLine, EndColumn int
						} `json:"deletedRegion"`
						InsertedContent *struct{ Text string } `json:"insertedContent"`
					} `json:"replacements"`
				} `json:"artifactChanges"`
			} `json:"fixes"`
		} `json:"results"`
	} `json:"runs"`
}

type sarifLocation struct {
	Message          *struct{ Text string } `json:"message"`
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		} `json:"artifactLocation"`
		Region *struct {
			StartLine, StartColumn, EndLine, EndColumn int
		} `json:"region"`
	} `json:"physicalLocation"`
}

func parseSARIF(doc []byte) (*Result, error) {
	if err := ValidateSARIF(doc); err != nil {
		return nil, err
	}
	var log sarifDoc
	if err := strictUnmarshal(doc, &log); err != nil {
		return nil, fmt.Errorf("sarif: %w", err)
	}
	if log.Version != "2.1.0" {
		return nil, fmt.Errorf("sarif: version %q, want 2.1.0", log.Version)
	}
	if n := len(log.Runs); n == 0 || n > githubMaxRuns {
		return nil, fmt.Errorf("sarif: %d runs (GitHub accepts 1 to %d)", n, githubMaxRuns)
	}
	res := &Result{}
	for ri, run := range log.Runs {
		rules := run.Tool.Driver.Rules
		if len(run.Results) > githubMaxResultsPerRun || len(rules) > githubMaxRulesPerRun {
			return nil, fmt.Errorf("sarif: run %d has %d results and %d rules (GitHub's limit: %d each)", ri, len(run.Results), len(rules), githubMaxResultsPerRun)
		}
		seenRule := map[string]bool{}
		for _, r := range rules {
			if seenRule[r.ID] {
				return nil, fmt.Errorf("sarif: rule %s described twice", r.ID)
			}
			seenRule[r.ID] = true
		}
		fingerprints := map[string]bool{}
		for i, r := range run.Results {
			if r.RuleIndex == nil || *r.RuleIndex < 0 || *r.RuleIndex >= len(rules) || rules[*r.RuleIndex].ID != r.RuleID {
				return nil, fmt.Errorf("sarif: result %d: ruleIndex does not point at rule %s", i, r.RuleID)
			}
			if len(r.Locations) != 1 {
				return nil, fmt.Errorf("sarif: result %d has %d locations, want exactly 1", i, len(r.Locations))
			}
			if len(r.RelatedLocations) > githubMaxLocationsResult {
				return nil, fmt.Errorf("sarif: result %d has %d related locations (GitHub's limit: %d)", i, len(r.RelatedLocations), githubMaxLocationsResult)
			}
			loc := r.Locations[0].PhysicalLocation
			file, err := sarifFile(loc.ArtifactLocation.URI, loc.ArtifactLocation.URIBaseID)
			if err != nil {
				return nil, fmt.Errorf("sarif: result %d: %w", i, err)
			}
			fp := r.PartialFingerprints["primaryLocationLineHash"]
			if fp == "" {
				return nil, fmt.Errorf("sarif: result %d has no partialFingerprints.primaryLocationLineHash", i)
			}
			if fingerprints[file+"\x00"+fp] {
				return nil, fmt.Errorf("sarif: result %d: fingerprint %s repeats in %s", i, fp, file)
			}
			fingerprints[file+"\x00"+fp] = true
			k := Key{File: file, Rule: r.RuleID, Severity: severityOfLevel(r.Level), Message: r.Message.Text}
			if reg := loc.Region; reg != nil {
				k.Line, k.Col, k.EndLine, k.EndCol = reg.StartLine, reg.StartColumn, reg.EndLine, reg.EndColumn
			}
			var rel []string
			for _, rl := range r.RelatedLocations {
				pl := rl.PhysicalLocation
				rf, err := sarifFile(pl.ArtifactLocation.URI, pl.ArtifactLocation.URIBaseID)
				if err != nil {
					return nil, fmt.Errorf("sarif: result %d: related: %w", i, err)
				}
				line, col := 0, 0
				if pl.Region != nil {
					line, col = pl.Region.StartLine, pl.Region.StartColumn
				}
				msg := ""
				if rl.Message != nil {
					msg = rl.Message.Text
				}
				rel = append(rel, relatedText(rf, line, col, msg))
			}
			k.Related = strings.Join(rel, "\n")
			if len(r.Fixes) > 1 {
				return nil, fmt.Errorf("sarif: result %d has %d fixes, dockvet makes one", i, len(r.Fixes))
			}
			for _, fix := range r.Fixes {
				if len(fix.ArtifactChanges) != 1 {
					return nil, fmt.Errorf("sarif: result %d: a fix changes %d artifacts, want 1", i, len(fix.ArtifactChanges))
				}
				ch := fix.ArtifactChanges[0]
				cf, err := sarifFile(ch.ArtifactLocation.URI, ch.ArtifactLocation.URIBaseID)
				if err != nil {
					return nil, fmt.Errorf("sarif: result %d: fix: %w", i, err)
				}
				if cf != file {
					return nil, fmt.Errorf("sarif: result %d: the fix changes %q, not the result's file", i, cf)
				}
				k.Fix = fix.Description.Text
				for _, rep := range ch.Replacements {
					d := rep.DeletedRegion
					text := ""
					if rep.InsertedContent != nil {
						text = rep.InsertedContent.Text
					}
					k.Fix += editText(d.StartLine, d.StartColumn, d.EndLine, d.EndColumn, text)
				}
			}
			res.Findings = append(res.Findings, k)
		}
		for _, inv := range run.Invocations {
			for _, n := range inv.ToolExecutionNotifications {
				if n.Level != "error" || len(n.Locations) == 0 {
					continue
				}
				al := n.Locations[0].PhysicalLocation.ArtifactLocation
				file, err := sarifFile(al.URI, al.URIBaseID)
				if err != nil {
					return nil, fmt.Errorf("sarif: notification: %w", err)
				}
				res.Errors = append(res.Errors, file)
			}
		}
	}
	return res, nil
}

// sarifFile turns an artifact URI back into the name dockvet printed.
func sarifFile(uri, base string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", fmt.Errorf("artifact uri %q: %w", uri, err)
	}
	switch {
	case u.Scheme == "file":
		return u.Path, nil
	case u.Scheme != "" || u.Host != "":
		return "", fmt.Errorf("artifact uri %q is neither relative nor a file: URI", uri)
	case base != "" && base != "%SRCROOT%":
		return "", fmt.Errorf("artifact uri %q has uriBaseId %q, want %%SRCROOT%%", uri, base)
	}
	p, err := url.PathUnescape(u.EscapedPath())
	if err != nil {
		return "", err
	}
	if strings.Contains(uri, "?") || strings.Contains(uri, "#") {
		return "", fmt.Errorf("artifact uri %q has a query or fragment", uri)
	}
	return p, nil
}

func severityOfLevel(level string) string {
	switch level {
	case "error", "warning":
		return level
	case "note":
		return "info"
	}
	return "level " + level
}

// SARIFFingerprints returns each result's primaryLocationLineHash in order.
func SARIFFingerprints(doc []byte) ([]string, error) {
	var log sarifDoc
	if err := strictUnmarshal(doc, &log); err != nil {
		return nil, err
	}
	var out []string
	for _, run := range log.Runs {
		for _, r := range run.Results {
			out = append(out, r.PartialFingerprints["primaryLocationLineHash"])
		}
	}
	return out, nil
}

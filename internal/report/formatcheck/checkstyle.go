package formatcheck

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// parseCheckstyle parses the document with encoding/xml (which rejects
// malformed XML and undeclared entities) and requires one <file> per file
// and the attributes Checkstyle consumers read.
func parseCheckstyle(doc []byte) (*Result, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	var root struct {
		XMLName xml.Name `xml:"checkstyle"`
		Version string   `xml:"version,attr"`
		Files   []struct {
			Name   *string `xml:"name,attr"`
			Errors []struct {
				Line     *string `xml:"line,attr"`
				Column   *string `xml:"column,attr"`
				Severity string  `xml:"severity,attr"`
				Message  *string `xml:"message,attr"`
				Source   string  `xml:"source,attr"`
			} `xml:"error"`
		} `xml:"file"`
	}
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("checkstyle: %w", err)
	}
	// Nothing but white space may follow the root element.
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("checkstyle: after the root: %w", err)
		}
		if cd, ok := tok.(xml.CharData); !ok || strings.TrimSpace(string(cd)) != "" {
			return nil, fmt.Errorf("checkstyle: content after the root element")
		}
	}
	if root.Version == "" {
		return nil, fmt.Errorf("checkstyle: no version attribute")
	}
	res := &Result{}
	seen := map[string]bool{}
	for _, f := range root.Files {
		if f.Name == nil || *f.Name == "" {
			return nil, fmt.Errorf("checkstyle: <file> without name")
		}
		if seen[*f.Name] {
			return nil, fmt.Errorf("checkstyle: <file name=%q> appears twice", *f.Name)
		}
		seen[*f.Name] = true
		for _, e := range f.Errors {
			switch e.Severity {
			case "error", "warning", "info":
			default:
				return nil, fmt.Errorf("checkstyle: severity %q", e.Severity)
			}
			rule, ok := strings.CutPrefix(e.Source, "dockvet.")
			if !ok || e.Message == nil {
				return nil, fmt.Errorf("checkstyle: <error> without message or dockvet source")
			}
			k := Key{File: *f.Name, Rule: rule, Severity: e.Severity, Message: *e.Message}
			var err error
			if e.Line != nil {
				if k.Line, err = strconv.Atoi(*e.Line); err != nil || k.Line < 1 {
					return nil, fmt.Errorf("checkstyle: line %q", *e.Line)
				}
			}
			if e.Column != nil {
				if k.Col, err = strconv.Atoi(*e.Column); err != nil || k.Col < 1 || e.Line == nil {
					return nil, fmt.Errorf("checkstyle: column %q", *e.Column)
				}
			}
			res.Findings = append(res.Findings, k)
		}
	}
	return res, nil
}

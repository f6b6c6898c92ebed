package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/hadolint"
	"github.com/dockvet/dockvet/internal/safefile"
)

// HadolintFileNames are hadolint's per-repository config names, read when a
// directory and its parents hold no .dockvet.yaml.
var HadolintFileNames = []string{".hadolint.yaml", ".hadolint.yml"}

// IsHadolintFile reports whether path names a hadolint config.
func IsHadolintFile(path string) bool {
	return slices.Contains(HadolintFileNames, filepath.Base(path))
}

// HadolintLevel is a hadolint severity as written in its config, with the
// dockvet severity it becomes.
type HadolintLevel struct {
	Name  string // error, warning, info, style, ignore, none
	Level finding.Severity
}

// HadolintOverride is one code of hadolint's override map.
type HadolintOverride struct {
	Code  RuleRef
	Level HadolintLevel
}

// LabelType is one entry of label-schema, in file order.
type LabelType struct {
	Label, Type string
}

// Hadolint is a .hadolint.yaml as written: codes are hadolint's, not yet
// mapped to dockvet rules.
type Hadolint struct {
	Path string

	Ignored  []RuleRef
	Override []HadolintOverride

	FailureThreshold *HadolintLevel
	NoFail           bool

	TrustedRegistries []string
	LabelSchema       []LabelType
	StrictLabels      *bool

	// Unused are the keys dockvet has no equivalent for, in file order.
	Unused []string
}

// hadolintLevel maps hadolint's severities onto dockvet's: dockvet has no
// style level, and hadolint's "ignore"/"none" threshold never fails.
func hadolintLevel(name string) (finding.Severity, bool) {
	switch name {
	case "error":
		return finding.SeverityError, true
	case "warning":
		return finding.SeverityWarning, true
	case "info", "style":
		return finding.SeverityInfo, true
	case "ignore", "none":
		return finding.SeverityNone, true
	}
	return 0, false
}

// LoadHadolint reads a hadolint config file (see Load for the file checks).
func LoadHadolint(path string) (*Hadolint, error) {
	data, err := safefile.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, err
	}
	return ParseHadolint(path, data)
}

// ParseHadolint parses a hadolint config. Keys dockvet cannot use are listed
// in Unused rather than refused: a file hadolint accepts must not stop a run.
// Values of the keys dockvet uses are checked as strictly as in
// .dockvet.yaml, since a misread one would silently change what fails.
func ParseHadolint(path string, data []byte) (*Hadolint, error) {
	h := &Hadolint{Path: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return h, nil
		}
		return nil, syntaxError(path, data, err)
	}
	p := parser{file: path}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return h, nil
		}
		root = root.Content[0]
	}
	root = p.resolve(root)
	if isNull(root) {
		return h, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, p.errorf(root, "hadolint config must be a mapping of settings, not %s", describe(root))
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := p.resolve(root.Content[i]), p.resolve(root.Content[i+1])
		if key.Kind != yaml.ScalarNode {
			return nil, p.errorf(key, "config key must be a string, not %s", describe(key))
		}
		if isNull(val) {
			continue
		}
		var err error
		switch key.Value {
		case "ignored":
			h.Ignored, err = p.ruleRefs(key.Value, val)
		case "override":
			h.Override, err = p.hadolintOverride(val)
		case "failure-threshold":
			var lv HadolintLevel
			lv, err = p.hadolintLevel(key.Value, val)
			h.FailureThreshold = &lv
		case "no-fail":
			h.NoFail, err = p.bool(key.Value, val)
		case "trustedRegistries":
			var refs []RuleRef
			refs, err = p.stringList(key.Value, val)
			for _, r := range refs {
				h.TrustedRegistries = append(h.TrustedRegistries, r.Name)
			}
		case "label-schema":
			h.LabelSchema, err = p.hadolintLabelSchema(key.Value, val)
		case "strict-labels":
			var b bool
			b, err = p.bool(key.Value, val)
			h.StrictLabels = &b
		default:
			h.Unused = append(h.Unused, key.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	return h, nil
}

func (p *parser) hadolintLevel(key string, val *yaml.Node) (HadolintLevel, error) {
	s, err := p.str(key, val)
	if err != nil {
		return HadolintLevel{}, err
	}
	name := strings.ToLower(strings.TrimSpace(s))
	lv, ok := hadolintLevel(name)
	if !ok {
		return HadolintLevel{}, p.errorf(val, "%s: unknown hadolint severity %q (want error, warning, info, style, ignore or none)", key, s)
	}
	return HadolintLevel{Name: name, Level: lv}, nil
}

// hadolintOverride decodes override: {error: [DL3007], style: [...]}.
func (p *parser) hadolintOverride(val *yaml.Node) ([]HadolintOverride, error) {
	if val.Kind != yaml.MappingNode {
		return nil, p.errorf(val, "override: want a mapping of severity to codes, got %s", describe(val))
	}
	var out []HadolintOverride
	for i := 0; i+1 < len(val.Content); i += 2 {
		lk, lv := p.resolve(val.Content[i]), p.resolve(val.Content[i+1])
		level, err := p.hadolintLevel("override", lk)
		if err != nil {
			return nil, err
		}
		if level.Level == finding.SeverityNone {
			return nil, p.errorf(lk, "override: want error, warning, info or style, got %q", lk.Value)
		}
		if isNull(lv) {
			continue
		}
		codes, err := p.ruleRefs("override."+lk.Value, lv)
		if err != nil {
			return nil, err
		}
		for _, c := range codes {
			out = append(out, HadolintOverride{Code: c, Level: level})
		}
	}
	return out, nil
}

func (p *parser) hadolintLabelSchema(key string, val *yaml.Node) ([]LabelType, error) {
	if val.Kind != yaml.MappingNode {
		return nil, p.errorf(val, "%s: want a mapping of label to type, got %s", key, describe(val))
	}
	var out []LabelType
	for i := 0; i+1 < len(val.Content); i += 2 {
		k, v := p.resolve(val.Content[i]), p.resolve(val.Content[i+1])
		label, err := p.nonEmptyString(key, k)
		if err != nil {
			return nil, err
		}
		typ, err := p.nonEmptyString(key+"."+label, v)
		if err != nil {
			return nil, err
		}
		out = append(out, LabelType{Label: label, Type: typ})
	}
	return out, nil
}

// Config converts a hadolint config into dockvet settings. exists says
// whether a dockvet rule id exists: codes whose targets do not are dropped
// silently, as the pragmas drop them. Notes are what the user should know
// on stderr: keys dockvet does not use.
func (h *Hadolint) Config(exists func(string) bool) (*Config, []string) {
	cfg := Default()
	cfg.Path = h.Path
	seen := map[string]bool{}
	for _, code := range h.Ignored {
		for _, id := range hadolint.ExistingTargets(code.Name, exists) {
			if !seen[id] {
				seen[id] = true
				cfg.Ignore = append(cfg.Ignore, RuleRef{Name: id, Line: code.Line, Column: code.Column})
			}
		}
	}
	for _, o := range h.Severities(exists) {
		cfg.Severity = append(cfg.Severity, SeverityOverride{Rule: o.Rule, Level: o.Level})
	}
	if h.FailureThreshold != nil {
		cfg.FailOn, cfg.FailOnSet = h.FailureThreshold.Level, true
	}
	if h.NoFail {
		cfg.FailOn, cfg.FailOnSet = finding.SeverityNone, true
	}
	var notes []string
	if len(h.Unused) > 0 {
		notes = append(notes, fmt.Sprintf("%s: hadolint settings with no dockvet equivalent, not used: %s", h.Path, strings.Join(h.Unused, ", ")))
	}
	// trustedRegistries, label-schema and strict-labels mean the same in
	// dockvet (DV204, DV600); values dockvet would refuse in a .dockvet.yaml
	// are left out with a note rather than failing a repository that
	// hadolint accepted.
	for _, r := range h.TrustedRegistries {
		s := strings.ToLower(strings.TrimSpace(r))
		host := strings.TrimPrefix(s, "*.")
		if strings.Contains(s, "://") || strings.ContainsAny(host, "/*@ \t") || host == "" || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
			notes = append(notes, fmt.Sprintf("%s: trustedRegistries entry %q is not a registry host (such as ghcr.io or *.corp.example): not used", h.Path, r))
			continue
		}
		cfg.TrustedRegistries = append(cfg.TrustedRegistries, s)
	}
	for _, l := range h.LabelSchema {
		if !slices.Contains(LabelTypes, l.Type) {
			notes = append(notes, fmt.Sprintf("%s: label-schema.%s: unknown type %q (dockvet knows %s): not used", h.Path, l.Label, l.Type, strings.Join(LabelTypes, ", ")))
			continue
		}
		cfg.LabelSchema = append(cfg.LabelSchema, LabelField{Name: l.Label, Type: l.Type})
	}
	if h.StrictLabels != nil {
		cfg.StrictLabels = *h.StrictLabels
	}
	return cfg, notes
}

// Severities maps hadolint's override onto the dockvet rules that exist,
// one entry per rule: when several codes map to one rule (DL3019 and DL3042
// are both DV403), the most severe level wins, so that nothing hadolint
// failed on passes. Codes lists the hadolint codes behind each entry.
func (h *Hadolint) Severities(exists func(string) bool) []HadolintSeverity {
	var out []HadolintSeverity
	index := map[string]int{}
	for _, o := range h.Override {
		for _, id := range hadolint.ExistingTargets(o.Code.Name, exists) {
			i, ok := index[id]
			if !ok {
				index[id] = len(out)
				out = append(out, HadolintSeverity{Rule: RuleRef{Name: id, Line: o.Code.Line, Column: o.Code.Column}, Level: o.Level.Level})
				i = len(out) - 1
			} else if o.Level.Level > out[i].Level {
				out[i].Level = o.Level.Level
			}
			out[i].Codes = append(out[i].Codes, o.Code.Name+" "+o.Level.Name)
		}
	}
	return out
}

// HadolintSeverity is one dockvet severity override derived from hadolint's.
type HadolintSeverity struct {
	Rule  RuleRef
	Level finding.Severity
	Codes []string // "DL3042 error", the hadolint entries behind it
}

// Package config reads .dockvet.yaml, the per-repository settings file.
//
// Decoding is strict: an unknown key, a duplicate key or a value of the wrong
// type is an error located at file:line:col, because a typo that silently
// disables a setting is worse than a failed run. The package knows no rules:
// rule names are kept as written, with their position, so that the engine can
// report unknown names at the place the user wrote them.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/safefile"
	"github.com/dockvet/dockvet/internal/yamlerr"
)

// Default limits, as documented in the spec.
const (
	DefaultPlatform       = "linux/amd64"
	DefaultMaxLayerSize   = 256 << 20
	DefaultMaxImageSize   = 1 << 30
	DefaultMaxWastedBytes = 50 << 20
)

// Config is the effective configuration of a run before flags are applied.
type Config struct {
	// Path is the file the config came from, "" for defaults.
	Path string

	FailOn finding.Severity
	// FailOnSet records that the file set fail-on, as opposed to the default.
	FailOnSet bool

	Ignore   []RuleRef
	Enable   []RuleRef
	Severity []SeverityOverride

	Target   string
	Platform string
	Offline  bool

	MaxLayerSize   int64
	MaxImageSize   int64
	MaxWastedBytes int64

	InsecureRegistries []string

	// TrustedRegistries (trusted-registries) turns on DV204: the registries
	// images may be pulled from, lower-cased ("docker.io", "ghcr.io",
	// "registry.local:5000", "*.corp.example").
	TrustedRegistries []string
	// LabelSchema (label-schema) turns on DV600: the labels the final image
	// must carry and their types, in file order.
	LabelSchema []LabelField
	// StrictLabels (strict-labels) also reports labels outside LabelSchema.
	StrictLabels bool
}

// LabelField is one label-schema entry; Line and Column locate its key.
type LabelField struct {
	Name   string
	Type   string
	Line   int
	Column int
}

// LabelTypes are the value types label-schema accepts.
var LabelTypes = []string{"text", "url", "semver", "rfc3339", "hash", "spdx", "email"}

// RuleRef is a rule id or name as the user wrote it. Line and Column locate it
// in the config file; both are 0 when it came from a flag.
type RuleRef struct {
	Name   string
	Line   int
	Column int
}

// SeverityOverride changes the severity of one rule.
type SeverityOverride struct {
	Rule  RuleRef
	Level finding.Severity
}

// Error is a problem in a config file, located at File:Line:Column. Line and
// Column are 0 when unknown.
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, "%d:", e.Column)
		}
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Default returns the configuration used when there is no config file.
func Default() *Config {
	return &Config{
		FailOn:         finding.SeverityWarning,
		Platform:       DefaultPlatform,
		MaxLayerSize:   DefaultMaxLayerSize,
		MaxImageSize:   DefaultMaxImageSize,
		MaxWastedBytes: DefaultMaxWastedBytes,
	}
}

// MaxFileSize bounds a config file: no real one comes near it, and a link to
// /dev/zero or a huge file must not exhaust memory.
const MaxFileSize = 1 << 20

// Load reads and parses the config file at path, which must be a regular
// file (or a symbolic link to one) of at most MaxFileSize bytes: a FIFO or a
// device is refused with a *safefile.NotRegularError, a larger file with a
// *safefile.TooLargeError. Other I/O errors are returned as they come from
// the os package, so callers can test for fs.ErrNotExist.
func Load(path string) (*Config, error) {
	data, err := safefile.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses config file content; path is used for Config.Path and in
// errors. Keys that are absent, or present with an empty (null) value, keep
// their defaults, so that commenting out every item of a list is harmless.
func Parse(path string, data []byte) (*Config, error) {
	cfg := Default()
	cfg.Path = path

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil // an empty file is an empty config
		}
		return nil, syntaxError(path, data, err)
	}
	// A second document would be silently ignored by anyone reading only the
	// first; say so instead.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{File: path, Line: extra.Line, Column: extra.Column, Msg: "config file must contain a single YAML document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(path, data, err)
	}

	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return cfg, nil // comments only
		}
		root = root.Content[0]
	}
	p := parser{file: path}
	root = p.resolve(root)
	if isNull(root) {
		return cfg, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, p.errorf(root, "config must be a mapping of settings, not %s", describe(root))
	}

	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := p.resolve(root.Content[i]), p.resolve(root.Content[i+1])
		if key.Kind != yaml.ScalarNode {
			return nil, p.errorf(key, "config key must be a string, not %s", describe(key))
		}
		if prev, ok := seen[key.Value]; ok {
			return nil, p.errorf(key, "duplicate key %q (first set at line %d)", key.Value, prev.Line)
		}
		seen[key.Value] = key
		if !slices.Contains(keys, key.Value) {
			return nil, p.errorf(key, "unknown key %q (known keys: %s)", key.Value, strings.Join(keys, ", "))
		}
		if isNull(val) {
			continue
		}
		if err := p.set(cfg, key.Value, val); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// keys lists every config key, in the order the spec documents them.
var keys = []string{
	"fail-on", "ignore", "enable", "severity", "target", "platform", "offline",
	"max-layer-size", "max-image-size", "max-wasted-bytes", "insecure-registries",
	"trusted-registries", "label-schema", "strict-labels",
}

// set decodes the value of one known key into cfg.
func (p *parser) set(cfg *Config, key string, val *yaml.Node) error {
	var err error
	switch key {
	case "fail-on":
		cfg.FailOn, err = p.severity(key, val)
		cfg.FailOnSet = true
	case "ignore":
		cfg.Ignore, err = p.ruleRefs(key, val)
	case "enable":
		cfg.Enable, err = p.ruleRefs(key, val)
	case "severity":
		cfg.Severity, err = p.severityMap(key, val)
	case "target":
		cfg.Target, err = p.nonEmptyString(key, val)
	case "platform":
		cfg.Platform, err = p.nonEmptyString(key, val)
	case "offline":
		cfg.Offline, err = p.bool(key, val)
	case "max-layer-size":
		cfg.MaxLayerSize, err = p.size(key, val)
	case "max-image-size":
		cfg.MaxImageSize, err = p.size(key, val)
	case "max-wasted-bytes":
		cfg.MaxWastedBytes, err = p.size(key, val)
	case "insecure-registries":
		var refs []RuleRef
		refs, err = p.stringList(key, val)
		for _, r := range refs {
			cfg.InsecureRegistries = append(cfg.InsecureRegistries, r.Name)
		}
	case "trusted-registries":
		cfg.TrustedRegistries, err = p.registryPatterns(key, val)
	case "label-schema":
		cfg.LabelSchema, err = p.labelSchema(key, val)
	case "strict-labels":
		cfg.StrictLabels, err = p.bool(key, val)
	default:
		panic("config: key listed in keys but not decoded: " + key)
	}
	return err
}

// parser carries the file name into every error.
type parser struct {
	file string
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) error {
	return &Error{File: p.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

// resolve follows aliases, so that anchors can be used for values.
func (p *parser) resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func (p *parser) str(key string, val *yaml.Node) (string, error) {
	if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!str" {
		return "", p.errorf(val, "%s: want a string, got %s", key, describe(val))
	}
	return val.Value, nil
}

func (p *parser) nonEmptyString(key string, val *yaml.Node) (string, error) {
	s, err := p.str(key, val)
	if err == nil && strings.TrimSpace(s) == "" {
		err = p.errorf(val, "%s: must not be empty", key)
	}
	return s, err
}

func (p *parser) bool(key string, val *yaml.Node) (bool, error) {
	if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!bool" {
		return false, p.errorf(val, "%s: want true or false, got %s", key, describe(val))
	}
	var b bool
	if err := val.Decode(&b); err != nil {
		return false, p.errorf(val, "%s: %v", key, err)
	}
	return b, nil
}

func (p *parser) severity(key string, val *yaml.Node) (finding.Severity, error) {
	s, err := p.str(key, val)
	if err != nil {
		return finding.SeverityNone, err
	}
	sev, err := finding.ParseSeverity(s)
	if err != nil {
		return finding.SeverityNone, p.errorf(val, "%s: %v", key, err)
	}
	return sev, nil
}

// stringList decodes a sequence of non-empty strings, keeping their positions
// (RuleRef doubles as "a string and where it was written").
func (p *parser) stringList(key string, val *yaml.Node) ([]RuleRef, error) {
	if val.Kind != yaml.SequenceNode {
		return nil, p.errorf(val, "%s: want a list, got %s", key, describe(val))
	}
	var refs []RuleRef
	for _, item := range val.Content {
		item = p.resolve(item)
		s, err := p.nonEmptyString(key, item)
		if err != nil {
			return nil, err
		}
		refs = append(refs, RuleRef{Name: s, Line: item.Line, Column: item.Column})
	}
	return refs, nil
}

func (p *parser) ruleRefs(key string, val *yaml.Node) ([]RuleRef, error) {
	refs, err := p.stringList(key, val)
	for i := range refs {
		// Rule names are matched exactly later; stray spaces are never meant.
		refs[i].Name = strings.TrimSpace(refs[i].Name)
	}
	return refs, err
}

// severityMap decodes "severity: {RULE: LEVEL}" in file order.
func (p *parser) severityMap(key string, val *yaml.Node) ([]SeverityOverride, error) {
	if val.Kind != yaml.MappingNode {
		return nil, p.errorf(val, "%s: want a mapping of rule to severity, got %s", key, describe(val))
	}
	var out []SeverityOverride
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(val.Content); i += 2 {
		rk, rv := p.resolve(val.Content[i]), p.resolve(val.Content[i+1])
		name, err := p.nonEmptyString(key, rk)
		if err != nil {
			return nil, err
		}
		name = strings.TrimSpace(name)
		if prev, ok := seen[name]; ok {
			return nil, p.errorf(rk, "%s: duplicate rule %q (first set at line %d)", key, name, prev.Line)
		}
		seen[name] = rk
		level, err := p.severity(key+"."+name, rv)
		if err != nil {
			return nil, err
		}
		out = append(out, SeverityOverride{
			Rule:  RuleRef{Name: name, Line: rk.Line, Column: rk.Column},
			Level: level,
		})
	}
	return out, nil
}

// registryPatterns decodes trusted-registries: registry host names
// (with an optional :port) or "*.domain" wildcards, lower-cased since host
// names are not case-sensitive. A scheme, a path or a '*' anywhere but a
// leading "*." is an error: such an entry could never match a registry.
func (p *parser) registryPatterns(key string, val *yaml.Node) ([]string, error) {
	items, err := p.stringList(key, val)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		s := strings.ToLower(strings.TrimSpace(it.Name))
		host := strings.TrimPrefix(s, "*.")
		item := p.resolve(val.Content[i])
		switch {
		case strings.Contains(s, "://"):
			return nil, p.errorf(item, "%s: %q: want a registry host such as ghcr.io, without a scheme", key, it.Name)
		case strings.ContainsAny(host, "/*@ \t") || host == "" || strings.HasPrefix(host, ".") || strings.HasSuffix(host, "."):
			return nil, p.errorf(item, "%s: %q: want a registry host such as ghcr.io, registry.local:5000 or *.corp.example", key, it.Name)
		}
		out = append(out, s)
	}
	return out, nil
}

// labelSchema decodes "label-schema: {LABEL: TYPE}" in file order.
func (p *parser) labelSchema(key string, val *yaml.Node) ([]LabelField, error) {
	if val.Kind != yaml.MappingNode {
		return nil, p.errorf(val, "%s: want a mapping of label to type (%s), got %s", key, strings.Join(LabelTypes, ", "), describe(val))
	}
	var out []LabelField
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(val.Content); i += 2 {
		lk, lv := p.resolve(val.Content[i]), p.resolve(val.Content[i+1])
		name, err := p.nonEmptyString(key, lk)
		if err != nil {
			return nil, err
		}
		if prev, ok := seen[name]; ok {
			return nil, p.errorf(lk, "%s: duplicate label %q (first set at line %d)", key, name, prev.Line)
		}
		seen[name] = lk
		typ, err := p.str(key+"."+name, lv)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(LabelTypes, typ) {
			return nil, p.errorf(lv, "%s.%s: unknown type %q (want one of %s)", key, name, typ, strings.Join(LabelTypes, ", "))
		}
		out = append(out, LabelField{Name: name, Type: typ, Line: lk.Line, Column: lk.Column})
	}
	return out, nil
}

// size accepts an integer byte count or a string with a unit ("256MiB").
func (p *parser) size(key string, val *yaml.Node) (int64, error) {
	if val.Kind != yaml.ScalarNode {
		return 0, p.errorf(val, "%s: want a size such as 256MiB, got %s", key, describe(val))
	}
	var n int64
	switch val.ShortTag() {
	case "!!int":
		if err := val.Decode(&n); err != nil {
			return 0, p.errorf(val, "%s: %v", key, err)
		}
	case "!!str":
		var err error
		if n, err = ParseSize(val.Value); err != nil {
			return 0, p.errorf(val, "%s: %v", key, err)
		}
	default:
		return 0, p.errorf(val, "%s: want a size such as 256MiB, got %s", key, describe(val))
	}
	// A limit of zero would flag everything; the way to turn a check off is
	// to ignore its rule, and a negative limit is always a mistake.
	if n <= 0 {
		return 0, p.errorf(val, "%s: must be greater than zero (to turn the check off, ignore its rule)", key)
	}
	return n, nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names a node's type for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return strconv.Quote(n.Value)
		case "!!null":
			return "nothing"
		case "!!bool":
			return "boolean " + n.Value
		case "!!int", "!!float":
			return "number " + n.Value
		}
		return n.ShortTag() + " " + n.Value
	}
	return "an unexpected YAML node"
}

// syntaxError turns the YAML library's error into an *Error at the line
// and column of the offending character, so that every config problem has
// the same shape.
func syntaxError(file string, data []byte, err error) error {
	p := yamlerr.Locate(data, err)
	return &Error{File: file, Line: p.Line, Column: p.Col, Msg: "invalid YAML: " + p.Msg}
}

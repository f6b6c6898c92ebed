package rules

import (
	"encoding/hex"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/github/go-spdx/v2/spdxexp"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"golang.org/x/mod/semver"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
)

// LabelSchema is DV600.
var LabelSchema = &rule.Rule{
	ID:         "DV600",
	Name:       "label-schema",
	Severity:   finding.SeverityWarning,
	DefaultOff: true,
	EnabledBy:  "label-schema",
	Summary:    "the final image lacks a label that `label-schema` requires, or a label value does not match its type",
	Doc: `Labels are how registries, scanners and people find out what an image is:
where its source lives (org.opencontainers.image.source), which version it is,
under which license it ships. A schema that every image of an organisation
follows is only worth something if it is checked at build time.

The rule is off until the config gives a schema, which turns it on. Every label
in the schema is required, and its value must have the given type:

    label-schema:
      org.opencontainers.image.source: url
      org.opencontainers.image.version: semver
    strict-labels: false

Types: text (any non-blank value); url (absolute, with a scheme and a host);
semver (MAJOR.MINOR.PATCH with optional -prerelease and +build, with or without
a leading v: OCI versions are usually written 1.2.3); rfc3339 (a date-time
such as 2024-05-01T12:00:00Z); hash (a git commit: 40 or 64 hex digits, or a
digest sha256:<64 hex> / sha512:<128 hex>); spdx (an SPDX license expression
such as MIT or Apache-2.0 OR MIT, checked against the SPDX license list);
email (an address as RFC 5322 reads it, a@b.example or Name <a@b.example>).
With strict-labels: true, labels outside the schema are reported too.

The Dockerfile's LABELs are read in the stages that make the final image (the
--target stage and the stages it is built FROM), after ARG and ENV expansion; a
later LABEL replaces an earlier one. Labels inherited from the base image are
not counted: they describe the base, not your image. A value whose variables
have no value (an ARG without a default and no --build-arg) is decided at build
time and is not checked. With dockvet image, the labels of the image config are
checked.`,
	Bad: `# label-schema: {org.opencontainers.image.source: url, org.opencontainers.image.version: semver}
FROM alpine:3.20
LABEL org.opencontainers.image.version=latest`,
	Good: `# label-schema: {org.opencontainers.image.source: url, org.opencontainers.image.version: semver}
FROM alpine:3.20
ARG VERSION=1.4.2
LABEL org.opencontainers.image.source=https://github.com/org/app \
      org.opencontainers.image.version=$VERSION`,
	Check:      checkLabelSchema,
	CheckImage: checkLabelSchemaImage,
}

// finalLabel is one label of the final image as the Dockerfile sets it.
type finalLabel struct {
	value string
	known bool // false when a variable in the value has no value
	rng   source.Range
}

func checkLabelSchema(pass *rule.Pass) {
	schema := pass.Limits.LabelSchema
	chain := pass.File.FinalChain()
	if len(schema) == 0 || len(chain) == 0 {
		return
	}
	labels := map[string]finalLabel{}
	var order []string
	for _, st := range chain {
		for _, in := range st.Instructions {
			cmd, ok := in.Command.(*instructions.LabelCommand)
			if !ok {
				continue
			}
			for i, kv := range cmd.Labels {
				key, unresolvedKey := in.Expand(kv.Key)
				if len(unresolvedKey) > 0 || key == "" {
					continue
				}
				val, unresolved := in.Expand(kv.Value)
				if _, seen := labels[key]; !seen {
					order = append(order, key)
				}
				labels[key] = finalLabel{value: val, known: len(unresolved) == 0, rng: labelRange(in, kv, i)}
			}
		}
	}
	var missing []string
	for _, f := range schema {
		l, ok := labels[f.Name]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s (%s)", f.Name, f.Type))
			continue
		}
		if !l.known {
			continue
		}
		if why := labelTypeProblem(f.Type, l.value); why != "" {
			pass.Reportf(l.rng, "label %s=%q %s (label-schema: %s)", f.Name, l.value, why, f.Type)
		}
	}
	if len(missing) > 0 {
		target := chain[len(chain)-1]
		pass.Reportf(target.From.Range, "the final image has no label %s, which label-schema requires", joinNames(missing))
	}
	if pass.Limits.StrictLabels {
		for _, key := range order {
			if !inSchema(schema, key) {
				pass.Reportf(labels[key].rng, "label %s is not in label-schema (strict-labels is on)", key)
			}
		}
	}
}

func checkLabelSchemaImage(pass *rule.ImagePass) {
	schema := pass.Limits.LabelSchema
	if len(schema) == 0 {
		return
	}
	labels := pass.Image.Labels
	var missing []string
	for _, f := range schema {
		v, ok := labels[f.Name]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s (%s)", f.Name, f.Type))
			continue
		}
		if why := labelTypeProblem(f.Type, v); why != "" {
			pass.Reportf(rule.ConfigRange, "label %s=%q %s (label-schema: %s)", f.Name, v, why, f.Type)
		}
	}
	if len(missing) > 0 {
		pass.Reportf(rule.ConfigRange, "the image has no label %s, which label-schema requires", joinNames(missing))
	}
	if pass.Limits.StrictLabels {
		keys := make([]string, 0, len(labels))
		for k := range labels {
			if !inSchema(schema, k) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			pass.Reportf(rule.ConfigRange, "label %s is not in label-schema (strict-labels is on)", k)
		}
	}
}

func inSchema(schema []rule.LabelField, key string) bool {
	return slices.ContainsFunc(schema, func(f rule.LabelField) bool { return f.Name == key })
}

// labelRange finds where the i-th label of a LABEL instruction is written:
// the argument that starts with its key (key=value form), the first argument
// for the legacy "LABEL key value" form, the whole arguments otherwise.
func labelRange(in *dockerfile.Instruction, kv instructions.KeyValuePair, i int) source.Range {
	if kv.NoDelim {
		if len(in.Args()) > 0 {
			return source.Range{Start: in.Args()[0].Range.Start, End: in.Args()[len(in.Args())-1].Range.End}
		}
		return in.ArgsRange
	}
	n := 0
	for _, a := range in.Args() {
		if !strings.HasPrefix(a.Value, kv.Key+"=") {
			continue
		}
		if n == countSameKey(kv.Key, i, in) {
			return a.Range
		}
		n++
	}
	return in.ArgsRange
}

// countSameKey counts the arguments before the i-th label of the instruction
// that set the same key, so that LABEL a=1 a=2 points at each in turn.
func countSameKey(key string, i int, in *dockerfile.Instruction) int {
	cmd := in.Command.(*instructions.LabelCommand)
	n := 0
	for _, kv := range cmd.Labels[:i] {
		if kv.Key == key {
			n++
		}
	}
	return n
}

// labelTypeProblem says why value is not of type typ ("" when it is).
func labelTypeProblem(typ, value string) string {
	v := strings.TrimSpace(value)
	switch typ {
	case "text":
		if v == "" {
			return "is empty"
		}
	case "url":
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return "is not an absolute URL (want scheme://host/..., e.g. https://github.com/org/app)"
		}
	case "semver":
		if !isSemver(v) {
			return "is not a semantic version (want MAJOR.MINOR.PATCH, e.g. 1.2.3, 1.2.3-rc.1 or v1.2.3)"
		}
	case "rfc3339":
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return "is not an RFC 3339 date-time (want e.g. 2024-05-01T12:00:00Z)"
		}
	case "hash":
		if !isHash(v) {
			return "is not a hash (want a 40 or 64 hex digit git commit, or sha256:<64 hex>)"
		}
	case "spdx":
		if v == "" {
			return "is not an SPDX license expression (it is empty)"
		}
		if ok, invalid := spdxexp.ValidateLicenses([]string{v}); !ok {
			return fmt.Sprintf("is not a valid SPDX license expression (%s not on the SPDX license list or not an expression; e.g. MIT, Apache-2.0 OR MIT)", strings.Join(invalid, ", "))
		}
	case "email":
		if _, err := mail.ParseAddress(v); err != nil || v == "" {
			return "is not an email address (want e.g. team@example.com)"
		}
	}
	return ""
}

// isSemver accepts a full MAJOR.MINOR.PATCH version with optional
// prerelease and build, with or without a leading v (x/mod/semver wants the
// v and also accepts the shorthands v1 and v1.2, which are not versions here).
func isSemver(v string) bool {
	if v == "" || strings.HasPrefix(v, "vv") {
		return false
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !semver.IsValid(v) {
		return false
	}
	core, _, _ := strings.Cut(v, "+")
	return semver.Canonical(v) == core
}

// isHash accepts a git commit id (SHA-1: 40 hex digits, SHA-256: 64) or an
// OCI-style digest algorithm:hex.
func isHash(v string) bool {
	want := []int{40, 64}
	if algo, digits, ok := strings.Cut(v, ":"); ok {
		switch algo {
		case "sha256":
			want = []int{64}
		case "sha512":
			want = []int{128}
		default:
			return false
		}
		v = digits
	}
	if !slices.Contains(want, len(v)) {
		return false
	}
	_, err := hex.DecodeString(v)
	return err == nil
}

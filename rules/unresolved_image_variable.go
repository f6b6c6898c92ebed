package rules

import (
	"fmt"
	"slices"

	"github.com/dockvet/dockvet/internal/dockerfile"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// UnresolvedImageVariable is DV202.
var UnresolvedImageVariable = &rule.Rule{
	ID:       "DV202",
	Name:     "unresolved-image-variable",
	Severity: finding.SeverityInfo,
	Summary:  "an image reference still contains a variable after ARG expansion, so its tag cannot be checked",
	Doc: `An image reference such as FROM $BASE_IMAGE or FROM node:$NODE_VERSION is
only known at build time when the variable has no default and no --build-arg
was given to dockvet. The tag checks (latest-tag, untagged-image,
unpinned-image) and the base-image checks then cannot look at it, and a build
that forgets the --build-arg fails or, worse, pulls something unintended.

Give the ARG a default (ARG NODE_VERSION=22.11) so the Dockerfile builds and
is checked as written, or pass the value to dockvet with --build-arg. A
${VAR:-default} form counts as resolved: its default is checked.

On a FROM line, a variable that no ARG declares at all is BuildKit's
UndefinedArgInFrom, and a reference that the ARG defaults leave empty or
invalid is BuildKit's InvalidDefaultArgInFrom: this rule leaves those to them
(one root cause, one finding) and keeps COPY --from and RUN --mount=from
references, and FROM references that stay valid but unchecked.`,
	Bad: `ARG NODE_VERSION
FROM node:${NODE_VERSION}-slim`,
	Good: `ARG NODE_VERSION=22.11
FROM node:${NODE_VERSION}-slim`,
	// BuildKit's InvalidDefaultArgInFrom reports, on the same reference, a
	// FROM that ARG defaults leave empty or invalid.
	YieldsTo: []string{"InvalidDefaultArgInFrom"},
	Check:    checkUnresolvedImageVariable,
}

func checkUnresolvedImageVariable(pass *rule.Pass) {
	for _, ref := range registryImages(pass.File) {
		if len(ref.Unresolved) == 0 {
			continue
		}
		var undeclared []string
		unresolved := ref.Unresolved
		for _, name := range ref.Unresolved {
			if _, _, declared := metaArg(pass.File, name); !declared {
				undeclared = append(undeclared, name)
			}
		}
		if ref.Kind == dockerfile.RefFrom && len(undeclared) > 0 {
			// BuildKit's UndefinedArgInFrom reports each undeclared
			// variable of a FROM line: one root cause, one finding.
			unresolved = slices.DeleteFunc(slices.Clone(unresolved), func(n string) bool { return slices.Contains(undeclared, n) })
			if len(unresolved) == 0 {
				continue
			}
			undeclared = nil
		}
		var msg string
		if len(undeclared) > 0 {
			msg = fmt.Sprintf("%s %s: %s %s not declared by an ARG before the first FROM, so the image and its tag cannot be checked (and BuildKit expands it to nothing); declare it there with a default",
				ref.Kind, ref.Raw, joinNames(undeclared), pluralOf(len(undeclared), "is", "are"))
		} else {
			msg = fmt.Sprintf("%s %s: %s %s no value (no ARG default, no --build-arg), so the image and its tag cannot be checked; give the ARG a default or pass --build-arg",
				ref.Kind, ref.Raw, joinNames(unresolved), pluralOf(len(unresolved), "has", "have"))
		}
		pass.Report(rule.Diagnostic{Range: ref.Range, Message: msg, Related: argRelated(pass.File, ref)})
	}
}

func pluralOf(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

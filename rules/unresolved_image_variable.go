package rules

import (
	"fmt"

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
${VAR:-default} form counts as resolved: its default is checked.`,
	Bad: `ARG NODE_VERSION
FROM node:${NODE_VERSION}-slim`,
	Good: `ARG NODE_VERSION=22.11
FROM node:${NODE_VERSION}-slim`,
	Check: checkUnresolvedImageVariable,
}

func checkUnresolvedImageVariable(pass *rule.Pass) {
	for _, ref := range registryImages(pass.File) {
		if len(ref.Unresolved) == 0 {
			continue
		}
		var undeclared []string
		for _, name := range ref.Unresolved {
			if _, _, declared := metaArg(pass.File, name); !declared {
				undeclared = append(undeclared, name)
			}
		}
		var msg string
		if len(undeclared) > 0 {
			msg = fmt.Sprintf("%s %s: %s %s not declared by an ARG before the first FROM, so the image and its tag cannot be checked (and BuildKit expands it to nothing); declare it there with a default",
				ref.Kind, ref.Raw, joinNames(undeclared), pluralOf(len(undeclared), "is", "are"))
		} else {
			msg = fmt.Sprintf("%s %s: %s %s no value (no ARG default, no --build-arg), so the image and its tag cannot be checked; give the ARG a default or pass --build-arg",
				ref.Kind, ref.Raw, joinNames(ref.Unresolved), pluralOf(len(ref.Unresolved), "has", "have"))
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

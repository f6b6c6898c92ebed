package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// DependencyInstallAfterCopyAll is DV414.
var DependencyInstallAfterCopyAll = &rule.Rule{
	ID:       "DV414",
	Name:     "dependency-install-after-copy-all",
	Severity: finding.SeverityInfo,
	Summary:  "COPY of the whole context before a dependency install: every source edit re-runs the install",
	Doc: `Docker reuses a cached layer only while everything before it is unchanged. After
"COPY . ." any edit to any file of the build context invalidates the cache, so a
dependency install that follows (npm ci, pip install -r requirements.txt, bundle
install, go mod download...) runs again on every build, downloading the same
packages: minutes per build, and builds that fail when a registry is down,
although the dependencies did not change.

Copy the manifest files first, install, and copy the rest afterwards:
  COPY package.json package-lock.json ./
  RUN npm ci
  COPY . .
The install layer is then rebuilt only when the manifests change.

The rule knows these installs and the manifests each needs: npm ci/install
(package.json, package-lock.json), yarn install (yarn.lock), pnpm install
(pnpm-lock.yaml), pip install -r FILE, uv sync and poetry install
(pyproject.toml, uv.lock, poetry.lock), pipenv install (Pipfile), bundle install
(Gemfile, Gemfile.lock), composer install (composer.json, composer.lock),
go mod download (go.mod, go.sum), cargo fetch (Cargo.toml, Cargo.lock), mvn
dependency:go-offline (pom.xml). It checks every stage, and stays silent when an
earlier COPY of the same stage already copied one of the manifests. The finding
points at the install, with the COPY as related location.`,
	Bad: `FROM node:22-slim
WORKDIR /app
COPY . .
RUN npm ci --omit=dev`,
	Good: `FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .`,
	Check: checkDependencyInstallAfterCopyAll,
}

// copySources returns the context sources of a COPY or ADD (expanded,
// quotes removed); nil for COPY --from, which does not read the context.
func copySources(in *dockerfile.Instruction) []string {
	if in.Keyword != "COPY" && in.Keyword != "ADD" || in.Invalid || len(in.Args()) < 2 {
		return nil
	}
	if _, ok := in.Flag("from"); ok {
		return nil
	}
	var out []string
	for _, a := range in.Args()[:len(in.Args())-1] {
		if strings.HasPrefix(a.Value, "<<") {
			continue // a heredoc
		}
		v := a.Value
		if !in.JSON {
			v, _ = in.Expand(v)
		}
		out = append(out, v)
	}
	return out
}

// isWholeContext reports whether a COPY source is the whole build context.
func isWholeContext(src string) bool {
	return path.Clean(src) == "."
}

// copiesManifest reports whether a COPY source may be one of the manifests
// (a name, a glob such as package*.json, or the directory of pip's -r
// file).
func copiesManifest(src string, manifests []string) bool {
	src = strings.TrimSuffix(path.Clean(src), "/")
	base := path.Base(src)
	for _, m := range manifests {
		mb := path.Base(m)
		if base == mb {
			return true
		}
		if ok, _ := path.Match(base, mb); ok {
			return true
		}
		if dir := path.Dir(path.Clean(m)); dir != "." && (src == dir || strings.HasSuffix(dir, "/"+src)) {
			return true
		}
	}
	return false
}

func checkDependencyInstallAfterCopyAll(pass *rule.Pass) {
	facts := runFacts(pass)
	for _, s := range pass.File.Stages {
		var copyAll *dockerfile.Instruction
		var copied []string // sources of the stage's COPY/ADD so far
		for _, in := range s.Instructions {
			if srcs := copySources(in); srcs != nil {
				for _, src := range srcs {
					if copyAll == nil && isWholeContext(src) {
						copyAll = in
					}
				}
				copied = append(copied, srcs...)
				continue
			}
			r := facts.Run(in)
			if r == nil || copyAll == nil {
				continue
			}
			for _, u := range r.Installs() {
				if len(u.Manifests) == 0 || u.Call.Conditional {
					continue
				}
				manifests := expandManifests(r.In, u.Manifests)
				seen := false
				for _, src := range copied {
					if !isWholeContext(src) && copiesManifest(src, append(slices.Clone(manifests), u.LockFiles...)) {
						seen = true
					}
				}
				if seen {
					continue
				}
				missing, advice := orList(manifests), andList(manifests)
				if len(u.LockFiles) > 0 {
					// Which lock file a project has is its own choice: name
					// the candidates, never ask to copy all of them.
					missing += " or its lock file"
					advice += " and its lock file (" + orList(u.LockFiles) + ")"
				}
				pass.Report(rule.Diagnostic{
					Range: u.Rng,
					Message: fmt.Sprintf("%s runs after a COPY of the whole build context (line %d) with no earlier COPY of %s: every source edit invalidates this layer and re-runs the install; COPY %s first, run %s, then COPY the rest",
						u.Verb, copyAll.StartLine, missing, advice, u.Verb),
					Related: []finding.Related{{Range: copyAll.Range, Message: "the whole build context is copied here"}},
				})
			}
		}
	}
}

// expandManifests resolves the build variables in manifest paths (pip -r
// $REQUIREMENTS with REQUIREMENTS set by ENV or ARG), so that the message
// names the file and an earlier COPY of it is recognised; a path that does
// not resolve stays as written.
func expandManifests(in *dockerfile.Instruction, manifests []string) []string {
	out := make([]string, 0, len(manifests))
	for _, m := range manifests {
		if strings.Contains(m, "$") {
			if v, ok := in.ExpandWith(m, nil); ok && v != "" {
				m = v
			}
		}
		out = append(out, m)
	}
	return out
}

// andList formats names as "a", "a and b", "a, b and c".
func andList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// orList formats names as "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

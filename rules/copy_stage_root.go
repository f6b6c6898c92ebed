package rules

import (
	"path"
	"slices"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// CopyStageRoot is DV408.
var CopyStageRoot = &rule.Rule{
	ID:       "DV408",
	Name:     "copy-stage-root",
	Severity: finding.SeverityWarning,
	Summary:  "COPY --from=<stage> / copies a build stage's whole root filesystem into the final image, build tools and caches included",
	Doc: `A multi-stage build compiles in one stage and copies only the result into a
small final stage: the compilers, package indexes, caches and sources stay
behind. COPY --from=build / /app undoes that: it copies the build stage's
entire root filesystem, its base image included, into the final image. The
image is as large as the build stage (a golang or node build stage is close
to a gigabyte), carries every tool and package an attacker could use and
every CVE scanners will report, and may hold secrets and credentials the
build wrote to disk (~/.npmrc, ~/.docker/config.json, .git).

The rule reports a COPY in the final image whose source is the root ("/",
".", "/*") of a stage that runs something (a RUN in it or in the stages it
is built FROM). It stays silent when the source stage is built FROM scratch
(its root holds only what was put there on purpose, the usual way to
assemble a root filesystem), for an image or a stage that only names one
(COPY --from=tonistiigi/xx / / copies an image made to be copied whole, and
dockvet cannot tell such an image from a distribution), when --exclude
filters the copy, and for stages that do not ship.

Copy the paths the image needs: COPY --from=build /out/app /usr/local/bin/app.
To assemble a root filesystem, build it in a FROM scratch stage and copy that.`,
	Bad: `FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .
FROM gcr.io/distroless/static-debian12
COPY --from=build / /`,
	Good: `FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app`,
	Check: checkCopyStageRoot,
}

func checkCopyStageRoot(pass *rule.Pass) {
	f := pass.File
	for _, ref := range f.ImageRefs {
		in := ref.Instruction
		if ref.Kind != dockerfile.RefCopyFrom || in.Invalid || in.Stage == nil || !f.InFinal(in.Stage) || len(in.Args()) < 2 {
			continue
		}
		if _, ok := in.Flag("exclude"); ok {
			continue
		}
		what := copySourceRootOf(ref)
		if what == "" {
			continue
		}
		for _, tok := range in.Args()[:len(in.Args())-1] {
			v, ok := expandedPath(in, tok.Value)
			if !ok || !isWholeRoot(v) {
				continue
			}
			pass.Report(rule.Diagnostic{
				Range: tok.Range,
				Message: "COPY --from=" + ref.Raw + " " + v + " copies the whole root filesystem of " + what +
					" into the final image: the base image and whatever its RUN steps left (compilers, caches, package indexes) ship too; copy only the paths the image needs",
			})
			break
		}
	}
}

// copySourceRootOf describes the source of a COPY --from whose root is
// worth reporting: a stage that runs something (RUN, in it or the stages it
// is built FROM) on a base image: `stage "build" (FROM golang:1.23)`. It is
// "" for a stage built FROM scratch, for an image or a stage that only
// names one (COPY --from=tonistiigi/xx / / copies an image made to be copied
// whole: dockvet cannot tell it from a distribution) and for unresolved
// references.
func copySourceRootOf(ref *dockerfile.ImageRef) string {
	s := ref.Stage
	if s == nil {
		return ""
	}
	runs := false
	root := s
	for st := s; st != nil; st = st.Parent {
		root = st
		runs = runs || slices.ContainsFunc(st.Instructions, func(in *dockerfile.Instruction) bool { return in.Keyword == "RUN" })
	}
	if !runs || root.Base == nil || !root.Base.IsImage() {
		return ""
	}
	return "stage " + quotedStageName(s) + " (FROM " + root.Base.Expanded + ")"
}

// isWholeRoot reports whether a COPY --from source names the source's whole
// root: "/", ".", "/.", "./", "/*" (sources of --from are relative to its
// root, not to a working directory).
func isWholeRoot(src string) bool {
	c := path.Clean("/" + src)
	return c == "/" || c == "/*"
}

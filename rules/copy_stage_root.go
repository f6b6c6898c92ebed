package rules

import (
	"path"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// CopyStageRoot is DV408.
var CopyStageRoot = &rule.Rule{
	ID:       "DV408",
	Name:     "copy-stage-root",
	Severity: finding.SeverityWarning,
	Summary:  "COPY --from=<stage> / copies a whole root filesystem into the final image, build tools and caches included",
	Doc: `A multi-stage build compiles in one stage and copies only the result into a
small final stage: the compilers, package indexes, caches and sources stay
behind. COPY --from=build / /app undoes that: it copies the build stage's
entire root filesystem, its base image included, into the final image. The
image is as large as the build stage (a golang or node build stage is close
to a gigabyte), carries every tool and package an attacker could use and
every CVE scanners will report, and may hold secrets and credentials the
build wrote to disk (~/.npmrc, ~/.docker/config.json, .git).

The rule reports a COPY in the final image whose source is the root ("/",
".", "/*") of another stage or of an image. It stays silent when the source
stage is built FROM scratch (its root holds only what was put there on
purpose, the usual way to assemble a root filesystem), when --exclude
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
		if ref.Kind != dockerfile.RefCopyFrom || in.Invalid || in.Stage == nil || !f.InFinal(in.Stage) || len(in.Args) < 2 {
			continue
		}
		if _, ok := in.Flag("exclude"); ok {
			continue
		}
		what := copySourceRootOf(ref)
		if what == "" {
			continue
		}
		for _, tok := range in.Args[:len(in.Args)-1] {
			v, ok := expandedPath(in, tok.Value)
			if !ok || !isWholeRoot(v) {
				continue
			}
			pass.Report(rule.Diagnostic{
				Range: tok.Range,
				Message: "COPY --from=" + ref.Raw + " " + v + " copies the whole root filesystem of " + what +
					" into the final image: its compilers, caches and package indexes ship too; copy only the paths the image needs",
			})
			break
		}
	}
}

// copySourceRootOf describes the source of a COPY --from whose root is
// worth reporting: `stage "build" (FROM golang:1.23)`, `image alpine:3`;
// "" for a stage built FROM scratch or an unresolved reference.
func copySourceRootOf(ref *dockerfile.ImageRef) string {
	if s := ref.Stage; s != nil {
		root := s
		for root.Parent != nil {
			root = root.Parent
		}
		if root.Base == nil || root.Base.Scratch || len(root.Base.Unresolved) > 0 || root.Base.Expanded == "" {
			return ""
		}
		return "stage " + quotedStageName(s) + " (FROM " + root.Base.Expanded + ")"
	}
	if !ref.IsImage() {
		return ""
	}
	return "image " + ref.Expanded
}

// isWholeRoot reports whether a COPY --from source names the source's whole
// root: "/", ".", "/.", "./", "/*" (sources of --from are relative to its
// root, not to a working directory).
func isWholeRoot(src string) bool {
	c := path.Clean("/" + src)
	return c == "/" || c == "/*"
}

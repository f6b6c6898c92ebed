package rules

import (
	"fmt"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
)

// LatestTag is DV200.
var LatestTag = &rule.Rule{
	ID:       "DV200",
	Name:     "latest-tag",
	Severity: finding.SeverityWarning,
	Summary:  "an image reference uses the tag `latest` (after ARG expansion)",
	Doc: `The tag latest is not a version: it is whatever was pushed last. An image
built FROM a latest tag changes under you from one build to the next, and an
image you publish as latest cannot be rolled back, because the previous
content under that name is gone. A 3 GB image tagged latest once filled 20 GB
node disks and could not be rolled back because latest had been overwritten
for weeks.

The rule checks FROM, COPY --from=<image> and RUN --mount=from=<image> in every
stage, after ARG expansion (ARG defaults and --build-arg values), so
ARG TAG=latest followed by FROM node:$TAG is reported too. A reference pinned by
digest (node:latest@sha256:...) is not reported: the digest decides what is
pulled.

Name a version tag instead (node:22.11-slim), and add a digest when builds must
be reproducible.`,
	Bad: `FROM node:latest
COPY --from=alpine/git:latest /usr/bin/git /usr/bin/git`,
	Good: `FROM node:22.11-slim
COPY --from=alpine/git:v2.47.1 /usr/bin/git /usr/bin/git`,
	Check:         checkLatestTag,
	CheckImage:    checkLatestTagImage,
	CheckManifest: checkLatestTagManifest,
}

func checkLatestTag(pass *rule.Pass) {
	for _, ref := range registryImages(pass.File) {
		if len(ref.Unresolved) > 0 || ref.Tag != "latest" || ref.Digest != "" {
			continue
		}
		const why = `the tag "latest" moves with every push, so builds are not reproducible and a bad image cannot be rolled back; pin a version tag`
		if !viaVariable(ref) {
			pass.Report(rule.Diagnostic{Range: ref.TagRange, Message: fmt.Sprintf("%s %s: %s", ref.Kind, ref.Raw, why), Fix: pinFix(pass, ref)})
			continue
		}
		pass.Report(rule.Diagnostic{
			Range:   ref.TagRange,
			Message: fmt.Sprintf("%s %s expands to %s: %s", ref.Kind, ref.Raw, ref.Expanded, why),
			Related: argRelated(pass.File, ref),
		})
	}
}

// checkLatestTagImage reports a registry reference given to `dockvet image`
// with the tag latest and no digest (on the config, line 0). Local images
// (oci-layout:, docker-archive:) have no registry tag to judge.
func checkLatestTagImage(pass *rule.ImagePass) {
	ref, ok := imagesrc.RegistryRef(pass.Image.Ref)
	if !ok {
		return
	}
	if _, tag, digest := dockerfile.SplitReference(ref); tag != "latest" || digest != "" {
		return
	}
	pass.Reportf(rule.ConfigRange, `image %s: the tag "latest" moves with every push, so what is checked here is not necessarily what runs, and a bad image cannot be rolled back; deploy a version tag (and pin its digest)`, ref)
}

// checkLatestTagManifest reports the image references of a Kubernetes or
// Compose workload tagged latest, on the image value.
func checkLatestTagManifest(pass *rule.ManifestPass) {
	for _, r := range manifestImageRefs(pass.Workload) {
		if r.tag != "latest" || r.digest != "" {
			continue
		}
		pass.Report(r.use, rule.Diagnostic{Range: r.use.Range, Message: fmt.Sprintf(`%s: the tag "latest" moves with every push, so %s, and a bad image cannot be rolled back; deploy a version tag (and pin its digest)`, useName(pass.Workload, r.use), startedDiffer(pass.Workload))})
	}
}

package rules

import (
	"fmt"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
)

// UntaggedImage is DV201.
var UntaggedImage = &rule.Rule{
	ID:       "DV201",
	Name:     "untagged-image",
	Severity: finding.SeverityWarning,
	Summary:  "an image reference has no tag and no digest (implicitly `latest`)",
	Doc: `An image named without a tag (FROM ubuntu) is pulled as ubuntu:latest: the
build depends on whatever was pushed last under that name, changes without any
edit to the Dockerfile, and cannot be reproduced or rolled back later.

The rule checks FROM, COPY --from=<image> and RUN --mount=from=<image> in every
stage, after ARG expansion. It does not report scratch, references to build
stages (by name or number, also stages defined later in the file), or a
registry port (localhost:5000/app has no tag; 5000 is the port).

Name a version tag (ubuntu:24.04), and add a digest when builds must be
reproducible.`,
	Bad: `FROM ubuntu
RUN --mount=from=busybox,target=/bb /bb/bin/true`,
	Good: `FROM ubuntu:24.04
RUN --mount=from=busybox:1.37,target=/bb /bb/bin/true`,
	Check:         checkUntaggedImage,
	CheckImage:    checkUntaggedImageImage,
	CheckManifest: checkUntaggedImageManifest,
}

func checkUntaggedImage(pass *rule.Pass) {
	for _, ref := range registryImages(pass.File) {
		if len(ref.Unresolved) > 0 || ref.Tag != "" || ref.Digest != "" || ref.Repository != ref.Expanded {
			// a tag, a digest, or an empty tag ("img:") that is a different mistake
			continue
		}
		pass.Report(rule.Diagnostic{Range: ref.Range, Fix: pinFix(pass, ref), Message: fmt.Sprintf(
			"%s %s has no tag, so it pulls %s:latest, which moves with every push: builds are not reproducible and cannot be rolled back; pin a version tag",
			ref.Kind, describeRef(ref), ref.Repository)})
	}
}

// checkUntaggedImageImage reports a registry reference given to `dockvet
// image` without tag and digest (on the config, line 0).
func checkUntaggedImageImage(pass *rule.ImagePass) {
	ref, ok := imagesrc.RegistryRef(pass.Image.Ref)
	if !ok {
		return
	}
	repo, tag, digest := dockerfile.SplitReference(ref)
	if tag != "" || digest != "" {
		return
	}
	pass.Reportf(rule.ConfigRange, "image %s has no tag, so it means %s:latest, which moves with every push: what is checked here is not necessarily what runs, and a bad image cannot be rolled back; deploy a version tag (and pin its digest)", ref, repo)
}

// checkUntaggedImageManifest reports the image references of a workload
// with neither tag nor digest.
func checkUntaggedImageManifest(pass *rule.ManifestPass) {
	for _, r := range manifestImageRefs(pass.Workload) {
		if r.tag != "" || r.digest != "" {
			continue
		}
		pass.Report(r.use, rule.Diagnostic{Range: r.use.Range, Message: fmt.Sprintf("%s has no tag, so it pulls %s:latest, which moves with every push: %s, and a bad image cannot be rolled back; deploy a version tag (and pin its digest)", useName(pass.Workload, r.use), r.repo, startedDiffer(pass.Workload))})
	}
}

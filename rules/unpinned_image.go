package rules

import (
	"fmt"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// UnpinnedImage is DV203.
var UnpinnedImage = &rule.Rule{
	ID:         "DV203",
	Name:       "unpinned-image",
	Severity:   finding.SeverityInfo,
	DefaultOff: true,
	Summary:    "an image reference has no @sha256 digest",
	Doc: `A tag, even a version tag, is a name that can be moved: maintainers rebuild
node:22 for security fixes, and a compromised or mistaken push replaces what
the tag points to. Only a digest (@sha256:...) names exact content, so only a
digest-pinned build is reproducible and immune to a tag being repointed.

Pin the digest next to the tag (the tag stays for humans, the digest decides
what is pulled) and let a bot such as Renovate or Dependabot update both. The
rule is off by default because pinning needs that update tooling; enable it
with --enable unpinned-image.`,
	Bad:           `FROM node:22.11-slim`,
	Good:          `FROM node:22.11-slim@sha256:2d1f3c7e3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d`,
	Check:         checkUnpinnedImage,
	CheckManifest: checkUnpinnedImageManifest,
}

func checkUnpinnedImage(pass *rule.Pass) {
	for _, ref := range registryImages(pass.File) {
		if len(ref.Unresolved) > 0 || ref.Digest != "" {
			continue
		}
		pass.Report(rule.Diagnostic{Range: ref.Range, Fix: pinFix(pass, ref), Message: fmt.Sprintf(
			"%s %s is not pinned by digest, so the same name can pull different content tomorrow; pin it as %s@sha256:<digest>",
			ref.Kind, describeRef(ref), ref.Expanded)})
	}
}

// checkUnpinnedImageManifest reports the image references of a workload
// without a digest.
func checkUnpinnedImageManifest(pass *rule.ManifestPass) {
	for _, r := range manifestImageRefs(pass.Workload) {
		if r.digest != "" {
			continue
		}
		pass.Report(r.use, rule.Diagnostic{Range: r.use.Range, Message: fmt.Sprintf("%s is not pinned by digest, so the same name can pull different content tomorrow; pin it as %s@sha256:<digest>", useName(pass.Workload, r.use), r.use.Ref)})
	}
}

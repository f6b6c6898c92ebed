package rules

import (
	"errors"
	"fmt"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/rule"
)

// BaseImageUnresolved is DV001.
var BaseImageUnresolved = &rule.Rule{
	ID:       "DV001",
	Name:     "base-image-unresolved",
	Severity: finding.SeverityInfo,
	Summary:  "a base image's config could not be fetched; says which checks were skipped and why",
	Doc: `dockvet reads the config of the image the final image is built FROM (only the
manifest and the config, never layers), because that is where volumes, the user
and the command a Dockerfile inherits are declared. When it cannot (--offline,
no credentials for a private registry, a tag that does not exist, a rate limit,
a timeout, no image for the requested --platform), this finding says which
image, why, and which checks ran without it: inherited volumes (DV102, DV101),
the inherited user (DV302) and an inherited shell-form CMD or ENTRYPOINT
(DV300, DV301).

Fix the cause the message names: log in with docker login (dockvet uses the
same credentials, ~/.docker/config.json and credential helpers), correct the
reference or --platform, raise --registry-timeout, or list a plain-HTTP
registry under insecure-registries. In air-gapped CI, run once with network
access to fill the cache (--cache-dir), or ignore this rule.

A run that is offline by choice (--offline, DOCKVET_OFFLINE, offline: true in
the config) does not report bases missing from the cache here, once per FROM:
one line on stderr says how many were not checked and how to fill the cache.`,
	Bad: `# dockvet lint --offline
FROM registry.example.com/team/base:1.4`,
	Good: `# dockvet lint (with credentials for registry.example.com)
FROM registry.example.com/team/base:1.4`,
	NeedsBase:           true,
	Check:               checkBaseImageUnresolved,
	CheckManifest:       checkBaseImageUnresolvedManifest,
	ManifestNeedsImages: true,
}

func checkBaseImageUnresolved(pass *rule.Pass) {
	_, ref, err := pass.FinalBase()
	if err == nil || ref == nil {
		return
	}
	why := err.Error()
	var re *registry.Error
	if errors.As(err, &re) {
		if re.Reason == registry.ReasonOffline {
			return // offline by choice: the run says so once, on stderr
		}
		why = string(re.Reason)
		if re.Detail != "" {
			why += ": " + re.Detail
		}
	}
	pass.Reportf(ref.Range, "base image %s was not checked (%s): its volumes (DV101, DV102), user (DV302) and CMD/ENTRYPOINT (DV300, DV301) are unknown", ref.Expanded, why)
}

// checkBaseImageUnresolvedManifest reports, on the image value, each image
// of a workload whose config could not be read (not when offline by
// choice: the run says so once, on stderr).
func checkBaseImageUnresolvedManifest(pass *rule.ManifestPass) {
	for _, u := range containerUses(pass.Workload) {
		_, err := pass.Image(u)
		if err == nil {
			continue
		}
		why := err.Error()
		var re *registry.Error
		if errors.As(err, &re) {
			if re.Reason == registry.ReasonOffline {
				continue
			}
			why = string(re.Reason)
			if re.Detail != "" {
				why += ": " + re.Detail
			}
		}
		pass.Report(u, rule.Diagnostic{Range: u.Range, Message: fmt.Sprintf("image %s was not checked (%s): its volumes (DV102), user (DV302) and CMD/ENTRYPOINT (DV300, DV301) are unknown", u.Ref, why)})
	}
}

package rules

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
)

// UntrustedRegistry is DV204.
var UntrustedRegistry = &rule.Rule{
	ID:         "DV204",
	Name:       "untrusted-registry",
	Severity:   finding.SeverityWarning,
	DefaultOff: true,
	EnabledBy:  "trusted-registries",
	Summary:    "an image reference pulls from a registry not listed in `trusted-registries`",
	Doc: `Whoever controls a registry controls the code your build runs and ships. A
policy that images come only from the registries the organisation trusts (its
own mirror, a vendor's registry) holds only if every reference is checked: one
FROM or COPY --from that names another registry brings that registry's content
into the image.

The rule is off until the config lists the trusted registries, which turns it
on:

    trusted-registries: [docker.io, ghcr.io, "*.corp.example"]

It checks FROM, COPY --from=<image> and RUN --mount=from=<image> in every stage
after ARG expansion (build stages and scratch are not images), and the reference
given to dockvet image. A name without a registry (node, library/node,
bitnami/redis) pulls from Docker Hub, written docker.io (index.docker.io and
registry-1.docker.io are the same registry). Host names are compared without
regard to case. An entry with a port (registry.local:5000) trusts that port
only; an entry without one trusts the host on any port. "*.corp.example"
trusts every subdomain of corp.example at any depth (a.corp.example,
b.a.corp.example) but not corp.example itself: list that too if it serves
images. A reference whose variables have no value is left to DV202.`,
	Bad: `# trusted-registries: [ghcr.io]
FROM node:22-slim`,
	Good: `# trusted-registries: [ghcr.io]
FROM ghcr.io/org/node:22-slim`,
	Check:         checkUntrustedRegistry,
	CheckImage:    checkUntrustedRegistryImage,
	CheckManifest: checkUntrustedRegistryManifest,
}

func checkUntrustedRegistry(pass *rule.Pass) {
	trusted := pass.Limits.TrustedRegistries
	if len(trusted) == 0 {
		return
	}
	for _, ref := range registryImages(pass.File) {
		if len(ref.Unresolved) > 0 {
			continue
		}
		reg, ok := referenceRegistry(ref.Expanded)
		if !ok || registryTrusted(reg, trusted) {
			continue
		}
		pass.Report(rule.Diagnostic{
			Range:   ref.Range,
			Message: fmt.Sprintf("%s %s pulls from %s, which is not in trusted-registries (%s)", ref.Kind, describeRef(ref), reg, strings.Join(trusted, ", ")),
			Related: argRelated(pass.File, ref),
		})
	}
}

// checkUntrustedRegistryImage judges the registry reference given to
// `dockvet image` (local images, oci-layout: and docker-archive:, come from
// no registry).
func checkUntrustedRegistryImage(pass *rule.ImagePass) {
	trusted := pass.Limits.TrustedRegistries
	if len(trusted) == 0 {
		return
	}
	ref, ok := imagesrc.RegistryRef(pass.Image.Ref)
	if !ok {
		return
	}
	reg, ok := referenceRegistry(ref)
	if !ok || registryTrusted(reg, trusted) {
		return
	}
	pass.Reportf(rule.ConfigRange, "image %s comes from %s, which is not in trusted-registries (%s)", ref, reg, strings.Join(trusted, ", "))
}

// referenceRegistry returns the registry an image reference pulls from,
// lower-cased, with Docker Hub as "docker.io"; false when the reference does
// not parse (other rules and the build report that).
func referenceRegistry(ref string) (string, bool) {
	r, err := name.ParseReference(ref, name.WeakValidation)
	if err != nil {
		return "", false
	}
	return canonicalRegistry(r.Context().RegistryStr()), true
}

// canonicalRegistry lower-cases a registry host and names Docker Hub
// docker.io, whichever of its host names is written.
func canonicalRegistry(reg string) string {
	reg = strings.ToLower(reg)
	switch reg {
	case name.DefaultRegistry, "registry-1.docker.io", "docker.io":
		return "docker.io"
	}
	return reg
}

// registryTrusted reports whether reg (canonical, maybe with a port) matches
// one of the patterns: an exact host[:port], a host without a port (any port
// of that host), or "*.domain" (any subdomain of domain, not domain itself).
func registryTrusted(reg string, patterns []string) bool {
	host := reg
	if i := strings.LastIndexByte(reg, ':'); i >= 0 && !strings.Contains(reg[i:], "]") {
		host = reg[:i]
	}
	for _, p := range patterns {
		p = strings.ToLower(p)
		if suffix, ok := strings.CutPrefix(p, "*."); ok {
			if strings.Contains(suffix, ":") {
				if strings.HasSuffix(reg, "."+suffix) {
					return true
				}
			} else if strings.HasSuffix(host, "."+suffix) {
				return true
			}
			continue
		}
		p = canonicalRegistry(p)
		if p == reg || p == host {
			return true
		}
	}
	return false
}

// checkUntrustedRegistryManifest reports the image references of a
// workload that pull from a registry not in trusted-registries.
func checkUntrustedRegistryManifest(pass *rule.ManifestPass) {
	trusted := pass.Limits.TrustedRegistries
	if len(trusted) == 0 {
		return
	}
	for _, r := range manifestImageRefs(pass.Workload) {
		reg, ok := referenceRegistry(r.use.Ref)
		if !ok || registryTrusted(reg, trusted) {
			continue
		}
		pass.Report(r.use, rule.Diagnostic{Range: r.use.Range, Message: fmt.Sprintf("%s pulls from %s, which is not in trusted-registries (%s)", useName(pass.Workload, r.use), reg, strings.Join(trusted, ", "))})
	}
}

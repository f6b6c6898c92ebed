package imageconv

import v1 "github.com/google/go-containerregistry/pkg/v1"

// PlatformMatches reports whether an index entry's platform (have) serves
// the requested one (want): OS and architecture must be equal, and the
// variant too when want names one (arm64 without a variant is v8, arm
// without one v7).
func PlatformMatches(have, want v1.Platform) bool {
	if have.OS != want.OS || have.Architecture != want.Architecture {
		return false
	}
	return want.Variant == "" || normVariant(have) == normVariant(want)
}

func normVariant(p v1.Platform) string {
	if p.Variant != "" {
		return p.Variant
	}
	switch p.Architecture {
	case "arm64":
		return "v8"
	case "arm":
		return "v7"
	}
	return ""
}

// IsAttestation recognises BuildKit's attestation manifests in an index
// (provenance, SBOM): they are not images to choose.
func IsAttestation(d v1.Descriptor) bool {
	if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
		return true
	}
	return d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown"
}

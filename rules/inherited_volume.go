package rules

import (
	"fmt"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
)

// InheritedVolume is DV102.
var InheritedVolume = &rule.Rule{
	ID:       "DV102",
	Name:     "inherited-volume",
	Severity: finding.SeverityWarning,
	Summary:  "a base image of the final image declares volumes in its config",
	Doc: `Volumes declared by a base image are part of every image built FROM it, and no
Dockerfile instruction can remove them. Each one makes the runtime create an
anonymous volume at every container start and copy the image's content at that
path into it (containerd does this before the container runs, even when
Kubernetes mounts nothing there). Official database images (postgres, mysql,
mongo) and many application images declare such volumes; you only see them
with docker inspect --format '{{.Config.Volumes}}'.

dockvet reads the base image's config and reports each declared path on the
FROM line. If your image puts data under such a path, DV101 reports that too.
Build on a base image without the volume (or on the image it is built from),
or accept it knowingly and suppress this rule on the FROM line.`,
	Bad: `FROM postgres:16
COPY seed.sql /docker-entrypoint-initdb.d/`,
	Good: `# a base that declares no VOLUME, e.g. the distribution's postgresql packages
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends postgresql \
    && rm -rf /var/lib/apt/lists/*`,
	NeedsBase:           true,
	Check:               checkInheritedVolume,
	CheckImage:          checkInheritedVolumeImage,
	CheckManifest:       checkInheritedVolumeManifest,
	ManifestNeedsImages: true,
}

func checkInheritedVolume(pass *rule.Pass) {
	img, ref, _ := pass.FinalBase()
	if img == nil {
		return
	}
	for _, v := range img.Volumes {
		pass.Reportf(ref.Range, "base image %s declares VOLUME %s: every container of this image gets an anonymous volume there, filled with the image's content at start, and this Dockerfile cannot remove it", ref.Expanded, v)
	}
}

// checkInheritedVolumeImage reports the volumes of an image's config that
// its base images declared: a VOLUME history entry in the base image's part
// of the history (on that entry), or no entry at all (on the config, line 0:
// a base image's config, or a squashed history).
func checkInheritedVolumeImage(pass *rule.ImagePass) {
	for _, v := range imageVolumes(pass) {
		if !v.inherited {
			continue
		}
		const why = "every container of this image gets an anonymous volume there, filled with the image's content at start, and no Dockerfile built FROM it can remove it; build on a base image without the volume"
		switch {
		case v.entry == 0 && len(pass.Image.History) == 0:
			pass.Reportf(rule.ConfigRange, "VOLUME %s is declared in the image config, and the image has no history to tell whether a base image declared it: every container of this image gets an anonymous volume there, filled with the image's content at start; remove it where it is declared, or build on a base image without it", v.path)
			continue
		case v.entry == 0:
			pass.Reportf(rule.ConfigRange, "VOLUME %s is declared by a base image (no history entry declares it): %s", v.path, why)
			continue
		}
		pass.Reportf(v.rng, "%s: VOLUME %s is declared by a base image (this entry comes before the base image's CMD, entry %d): %s", entryRef(v.entry, v.quote), v.path, v.base, why)
	}
}

// checkInheritedVolumeManifest reports each VOLUME of a container's image
// that the pod does not mount a volume over: the runtime creates an
// anonymous volume there and copies the image's content into it at every
// container start, in every replica. A volume mounted at the path (or a
// parent) skips the copy.
func checkInheritedVolumeManifest(pass *rule.ManifestPass) {
	w := pass.Workload
	for _, u := range containerUses(w) {
		img, _ := pass.Image(u)
		if img == nil {
			continue
		}
		for _, v := range img.Volumes {
			if u.Container.MountAt(v) != nil || volumeHoldsData(img, v) {
				continue // no copy; or DV101 (--deep) reports it with its size
			}
			pass.Report(u, rule.Diagnostic{Range: u.Range, Message: fmt.Sprintf("%s: the image declares VOLUME %s and the %s mounts nothing there, so the runtime creates an anonymous volume and copies the image's content into it at every container start%s (dockvet manifests --deep gives the bytes); mount a volume at %s (an emptyDir, or the data as an image volume) or build the image without the VOLUME", useName(w, u), v, u.Container.Kind, perReplicas(w), v)})
		}
	}
}

// volumeHoldsData reports whether --deep found files under the volume path.
func volumeHoldsData(img *image.Image, path string) bool {
	if img.Deep == nil {
		return false
	}
	for _, vd := range img.Deep.Volumes {
		if vd.Path == path && vd.Files > 0 {
			return true
		}
	}
	return false
}

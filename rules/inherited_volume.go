package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
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
	Check: checkInheritedVolume,
}

func checkInheritedVolume(pass *rule.Pass) {
	chain := pass.File.FinalChain()
	if len(chain) == 0 {
		return
	}
	img, ref, _ := pass.BaseImage(chain[0])
	if img == nil {
		return
	}
	for _, v := range img.Volumes {
		pass.Reportf(ref.Range, "base image %s declares VOLUME %s: every container of this image gets an anonymous volume there, filled with the image's content at start, and this Dockerfile cannot remove it", ref.Expanded, v)
	}
}

package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// VolumeOverImageData is DV101.
var VolumeOverImageData = &rule.Rule{
	ID:       "DV101",
	Name:     "volume-over-image-data",
	Severity: finding.SeverityError,
	Summary:  "a VOLUME path holds data the image adds: containerd copies it into every container at start",
	Doc: `When an image declares a VOLUME, containerd (and Docker) create a fresh
volume for that path at every container start and copy everything the image
holds there into it, before the container runs, whether or not anything is
mounted there. Kubernetes never uses that copy: a pod declares its own
volumes. A service that baked 500 MB of model files into /mnt/models and kept
an old VOLUME ["/mnt/models"] wrote 25 GB per node for 50 pods to a
125 MB/s disk: 200 seconds of I/O, hung tasks and kernel panics.

The rule reports a VOLUME of the final image whose path already holds content
that the image adds: a COPY or ADD to that path or below it, or a RUN that
writes there (curl -o, wget -O or -P, cp, mv, install, tar -x -C, unzip -d,
git clone, touch). Order does not matter: with BuildKit, content added after
the VOLUME line is copied too. Paths it cannot resolve (a relative destination
under an unknown WORKDIR, a variable without a value) are not judged.

Volumes declared by the base image count too (FROM postgres:16, then COPY
seed/ /var/lib/postgresql/data): dockvet reads the base image's config and
reports those on the FROM line. No Dockerfile can remove an inherited VOLUME,
so there the fix is to keep the data elsewhere or to change the base image.

Delete the VOLUME line and declare the volume where it is used (pod spec,
compose file, docker run -v), or keep the data out of the volume path. For
data-only images, Kubernetes 1.33+ can mount an OCI image as a read-only image
volume, with no copy at all.`,
	Bad: `FROM python:3.12-slim
COPY models/ /mnt/models/
VOLUME ["/mnt/models"]`,
	Good: `FROM python:3.12-slim
COPY models/ /mnt/models/
# the pod spec mounts storage where it is needed; no VOLUME`,
	Check: checkVolumeOverImageData,
}

func checkVolumeOverImageData(pass *rule.Pass) {
	steps := finalSteps(pass.File)
	var adds []addition
	for _, s := range steps {
		adds = append(adds, additions(s)...)
	}
	if len(adds) == 0 {
		return
	}
	own := map[string]bool{}
	for _, s := range steps {
		if s.in.Keyword != "VOLUME" || s.in.Invalid {
			continue
		}
		for _, tok := range volumePaths(s.in) {
			if !strings.HasPrefix(tok.Value, "/") {
				continue
			}
			vol := path.Clean(tok.Value)
			if vol == "/" {
				continue
			}
			own[vol] = true
			related, lines := addersUnder(adds, vol)
			if len(related) == 0 {
				continue
			}
			pass.Report(rule.Diagnostic{
				Range: tok.Range,
				Message: fmt.Sprintf("VOLUME %s covers data this image adds (%s): containerd copies it into every container at start; remove the VOLUME and declare the volume in the pod spec or compose file, or keep the data elsewhere",
					vol, listAdders(lines, "; ")),
				Related: related,
			})
		}
	}
	// Volumes the base image declares: the Dockerfile cannot remove them, so
	// the data has to go elsewhere.
	chain := pass.File.FinalChain()
	if len(chain) == 0 {
		return
	}
	img, ref, _ := pass.BaseImage(chain[0])
	if img == nil {
		return
	}
	for _, v := range img.Volumes {
		vol := path.Clean(v)
		if !strings.HasPrefix(vol, "/") || vol == "/" || own[vol] {
			continue
		}
		related, lines := addersUnder(adds, vol)
		if len(related) == 0 {
			continue
		}
		pass.Report(rule.Diagnostic{
			Range: ref.Range,
			Message: fmt.Sprintf("base image %s declares VOLUME %s and this image adds data there (%s): containerd copies it into every container at start, and no Dockerfile can remove an inherited VOLUME; keep the data elsewhere or build on a base without the volume",
				ref.Expanded, vol, listAdders(lines, "; ")),
			Related: related,
		})
	}
}

// addersUnder returns the additions at or below vol, one per instruction, as
// related locations and as "line N: what" descriptions.
func addersUnder(adds []addition, vol string) ([]finding.Related, []string) {
	var related []finding.Related
	var lines []string
	seen := map[*dockerfile.Instruction]bool{}
	for _, a := range adds {
		if a.glob || !pathUnder(a.path, vol) || seen[a.in] {
			continue
		}
		seen[a.in] = true
		related = append(related, finding.Related{
			Range:   a.at,
			Message: fmt.Sprintf("adds %s under VOLUME %s", a.path, vol),
		})
		lines = append(lines, fmt.Sprintf("line %d: %s", a.in.StartLine, a.what))
	}
	return related, lines
}

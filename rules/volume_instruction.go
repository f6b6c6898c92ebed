package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// VolumeInstruction is DV100.
var VolumeInstruction = &rule.Rule{
	ID:       "DV100",
	Name:     "volume-instruction",
	Severity: finding.SeverityWarning,
	Summary:  "the final image declares VOLUME",
	Doc: `A VOLUME in an image makes every container runtime create an anonymous volume
for that path at container start, and containerd first copies whatever the image
holds at that path into it. Kubernetes never uses that copy: a pod declares its
own volumes. The copy still costs disk and start-up time on every container, and
once an image declares a VOLUME, no image built FROM it can remove it.

Declare volumes where they are used (the pod spec, compose file or docker run -v)
and delete the VOLUME line. Only the final image matters: a VOLUME in a builder
stage that the final stage does not build FROM never ships.`,
	Bad: `FROM python:3.12-slim
COPY models/ /mnt/models/
VOLUME ["/mnt/models"]`,
	Good: `FROM python:3.12-slim
COPY models/ /mnt/models/
# mount storage in the pod spec instead of declaring a VOLUME`,
	Check: checkVolumeInstruction,
}

func checkVolumeInstruction(pass *rule.Pass) {
	for _, in := range pass.File.FinalInstructions() {
		if in.Keyword != "VOLUME" || in.Invalid {
			continue
		}
		for _, p := range volumePaths(in) {
			pass.Reportf(p.Range, "VOLUME %s: the runtime creates an anonymous volume at every container start and copies the image's content there; declare volumes in the pod spec or compose file instead", p.Value)
		}
	}
}

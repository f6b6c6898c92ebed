package rules

import (
	"fmt"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
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
	Check:      checkVolumeInstruction,
	CheckImage: checkVolumeInstructionImage,
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

// checkVolumeInstructionImage reports the image's own volumes: those a
// VOLUME history entry after the base image's part of the history declares
// (imagesrc.BaseEntries). Volumes declared earlier, or by no entry, are
// inherited: DV102 reports them.
func checkVolumeInstructionImage(pass *rule.ImagePass) {
	for _, v := range imageVolumes(pass) {
		if v.inherited {
			continue
		}
		pass.Reportf(v.rng, "%s: VOLUME %s makes the runtime create an anonymous volume at every container start and copy the image's content there; delete the VOLUME from the Dockerfile and declare volumes in the pod spec or compose file instead",
			entryRef(v.entry, v.quote), v.path)
	}
}

// imageVolume is a volume of an image's config and where its history
// declares it.
type imageVolume struct {
	path string
	// entry is the first history entry that declares it (0: none does);
	// quote that entry for messages.
	entry int
	quote string
	rng   source.Range
	// inherited: no entry declares it, or the entry belongs to the base
	// image's part of the history; base is then that part's length.
	inherited bool
	base      int
}

func imageVolumes(pass *rule.ImagePass) []imageVolume {
	img := pass.Image
	base := imagesrc.BaseEntries(img)
	out := make([]imageVolume, 0, len(img.Volumes))
	for _, p := range img.Volumes {
		v := imageVolume{path: p, base: base}
		n, spelled := imagesrc.VolumeEntry(img, p)
		v.entry = n
		if n > 0 {
			v.quote = imagesrc.QuoteEntry(img.History[n-1].CreatedBy)
			needle := imagesrc.ListText([]string{spelled})
			v.rng = imagesrc.EntryRange(img, pass.History, n, needle[1:len(needle)-1])
		}
		v.inherited = n == 0 || n <= base
		out = append(out, v)
	}
	return out
}

// entryRef names a history entry in a message.
func entryRef(n int, quote string) string {
	return fmt.Sprintf("history entry %d `%s`", n, quote)
}

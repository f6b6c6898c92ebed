package rule

import (
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/manifest"
)

// ImageLookup returns what is known about an image a manifest names: the
// image, or an error saying why it is unknown (a *registry.Error). It
// returns nils when images are not looked up.
type ImageLookup func(use *manifest.ImageUse) (*image.Image, error)

// ManifestPass is one rule's view of one workload of a Kubernetes or
// Compose file (dockvet manifests): the pod spec with positions, and the
// configs of the images it runs.
type ManifestPass struct {
	Rule     *Rule
	File     *manifest.File
	Workload *manifest.Workload
	// Images answers Image; nil when images are not looked up.
	Images ImageLookup
	Limits Limits

	report func(at *manifest.ImageUse, d Diagnostic)
}

// NewManifestPass is used by the engine (and tests) to run a rule on a
// workload.
func NewManifestPass(r *Rule, f *manifest.File, w *manifest.Workload, images ImageLookup, report func(*manifest.ImageUse, Diagnostic)) *ManifestPass {
	return &ManifestPass{Rule: r, File: f, Workload: w, Images: images, report: report}
}

// Image returns the config of the image a use names (nils when not looked
// up).
func (p *ManifestPass) Image(use *manifest.ImageUse) (*image.Image, error) {
	if p.Images == nil {
		return nil, nil
	}
	return p.Images(use)
}

// Report records a diagnostic about the image use at (its container's or
// volume's): `# dockvet ignore=` comments above that image line suppress it.
func (p *ManifestPass) Report(at *manifest.ImageUse, d Diagnostic) { p.report(at, d) }

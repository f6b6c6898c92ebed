package rules

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
)

// OversizedLayer is DV410.
var OversizedLayer = &rule.Rule{
	ID:       "DV410",
	Name:     "oversized-layer",
	Severity: finding.SeverityWarning,
	Summary:  "one layer is larger than max-layer-size (default 256 MiB): a COPY or ADD from the build context, or an image layer",
	Doc: `Every COPY and ADD makes one layer, and a layer is pulled, unpacked and
stored whole on every node that runs the image. A layer of several hundred
megabytes is usually an accident: a model, a dataset, a build output or a
dependency directory that the build context sends because .dockerignore does
not exclude it. Large layers slow every deploy and every scale-up, and with a
VOLUME over them (DV101) containerd copies them again at each container start.

dockvet reads the build context the way BuildKit sends it: --context DIR, or
the Dockerfile's directory by default, with .dockerignore (or
<Dockerfile>.dockerignore) honoured. It sums the sizes of what each COPY and
ADD of the final image adds (file contents are never read) and reports the
instruction when the sum exceeds max-layer-size (256 MiB unless the config
says otherwise), naming the three largest paths. ADD of a local archive
counts the archive (its unpacked size is unknown); remote ADD sources are
never downloaded and are named as of unknown size. Builder stages are not
judged: their layers do not ship. Without a build context (a Dockerfile on
stdin without --context) the rule is silent.

dockvet image judges every layer of a built image by its size in the
manifest: compressed, what a pull downloads (a docker archive stores its
layers uncompressed; the message says which). Nothing is downloaded. The
finding is on the history entry that made the layer (the history entries
that are not marked empty_layer made the layers, in order); when the
history does not line up with the layers (a squashed or imported image), it
is on line 0 and names the layer by number and digest. A layer of the base
image's part of the history is reported too: the message says so, since the
fix is then a smaller base.

Exclude what the image does not need in .dockerignore, COPY only the paths it
needs, or fetch large data at run time (an init step, an image volume on
Kubernetes 1.33+). Remove caches and build tools in the RUN that made them,
or build in a builder stage and COPY only the result. If the layer really
must be that big, raise max-layer-size in .dockvet.yaml.`,
	Bad: `FROM python:3.12-slim
WORKDIR /app
# the context holds models/ (2 GiB) and .venv/
COPY . .`,
	Good: `FROM python:3.12-slim
WORKDIR /app
# .dockerignore: models/ .venv/ .git/
COPY . .`,
	ReadsContext:        true,
	Check:               checkOversizedLayer,
	CheckImage:          checkOversizedLayerImage,
	CheckManifest:       checkOversizedLayerManifest,
	ManifestNeedsImages: true,
}

func checkOversizedLayer(pass *rule.Pass) {
	if pass.Context == nil {
		return
	}
	limit := maxLayerSize(pass)
	for _, in := range pass.File.FinalInstructions() {
		cost := measureCopy(pass.Context, in)
		if cost == nil || !cost.measured || cost.total <= limit {
			continue
		}
		msg := fmt.Sprintf("%s adds %s (%s) from the build context %s, more than max-layer-size %s",
			instructionText(in), size(cost.total, cost.lower), plural(cost.files, "file"), contextName(pass.Context), config.FormatSize(limit))
		if top := cost.largestText(3); top != "" {
			msg += "; largest: " + top
		}
		msg += cost.unknownText()
		msg += "; exclude what the image does not need in .dockerignore or COPY only what it needs"
		pass.Report(rule.Diagnostic{Range: srcRange(in), Message: msg})
	}
}

// checkOversizedLayerImage reports each layer of a built image whose size in
// the manifest exceeds max-layer-size, on the history entry that made it
// (line 0 when the history does not line up with the layers).
func checkOversizedLayerImage(pass *rule.ImagePass) {
	img := pass.Image
	limit := layerLimit(pass.Limits)
	entries, lined := imagesrc.LayerEntries(img)
	base := imagesrc.BaseEntries(img)
	for i, l := range img.Layers {
		if l.Size <= limit {
			continue
		}
		size := fmt.Sprintf("%s %s", config.FormatSize(l.Size), imagesrc.LayerStorage(l))
		if d := img.Deep; d != nil && len(d.Layers) == len(img.Layers) && imagesrc.LayerStorage(l) == "compressed" {
			size += fmt.Sprintf(" (%s uncompressed)", config.FormatSize(d.Layers[i].UncompressedSize))
		}
		if !lined {
			pass.Reportf(rule.ConfigRange, "%s is %s, more than max-layer-size %s; %s, so the step that made it is unknown",
				layerName(img, i), size, config.FormatSize(limit), historyMismatch(img))
			continue
		}
		n := entries[i]
		e := imagesrc.ParseEntry(img.History[n-1].CreatedBy)
		var advice string
		switch {
		case n <= base:
			advice = "this entry is part of the base image's history: start from a smaller base image"
		case e.Keyword == "COPY" || e.Keyword == "ADD":
			advice = "keep what the image does not need out of the build context (.dockerignore) or COPY only what it needs"
		case e.Keyword == "RUN":
			advice = "remove caches and build tools in the same RUN, or build in a builder stage and COPY only the result"
		default:
			advice = "make the step add less, or raise max-layer-size"
		}
		pass.Report(rule.Diagnostic{
			Range: imagesrc.EntryRange(img, pass.History, n, ""),
			Message: fmt.Sprintf("%s: its layer (%s) is %s, more than max-layer-size %s; %s",
				entryRef(n, imagesrc.QuoteEntry(img.History[n-1].CreatedBy)), layerName(img, i), size, config.FormatSize(limit), advice),
		})
	}
}

// layerName names layer i of an image in a message: "layer 3 of 7,
// sha256:0123456789ab".
func layerName(img *image.Image, i int) string {
	s := fmt.Sprintf("layer %d of %d", i+1, len(img.Layers))
	if d := img.Layers[i].Digest; d != "" {
		s += ", " + shortDigest(d)
	}
	return s
}

// shortDigest is a digest's algorithm and first 12 hex digits.
func shortDigest(d string) string {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) <= 12 {
		return d
	}
	return alg + ":" + hex[:12]
}

// historyMismatch says why layers cannot be placed in the history.
func historyMismatch(img *image.Image) string {
	if len(img.History) == 0 {
		return "the image has no history"
	}
	with := 0
	for _, h := range img.History {
		if !h.EmptyLayer {
			with++
		}
	}
	entries := "entries"
	if with == 1 {
		entries = "entry"
	}
	return fmt.Sprintf("the history does not line up with the layers (%d %s with a layer, %s)",
		with, entries, plural(len(img.Layers), "layer"))
}

// shortQuote cuts a quoted history entry for a list in a message.
func shortQuote(s string) string {
	const limit = 48
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:limit-1])) + "…"
}

// checkOversizedLayerManifest reports each layer of a container's image
// whose size in the image manifest exceeds max-layer-size: every node that
// runs a replica pulls and unpacks it.
func checkOversizedLayerManifest(pass *rule.ManifestPass) {
	w := pass.Workload
	limit := layerLimit(pass.Limits)
	for _, u := range containerUses(w) {
		img, _ := pass.Image(u)
		if img == nil {
			continue
		}
		for i, l := range img.Layers {
			if l.Size <= limit {
				continue
			}
			pass.Report(u, rule.Diagnostic{Range: u.Range, Message: fmt.Sprintf("%s: %s is %s %s, more than max-layer-size %s; every node that runs a replica pulls and unpacks it before the pod starts: make the image smaller, or ship large data as an image volume",
				useName(w, u), layerName(img, i), config.FormatSize(l.Size), imagesrc.LayerStorage(l), config.FormatSize(limit))})
		}
	}
}

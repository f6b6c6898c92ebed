package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
)

// OversizedImage is DV411.
var OversizedImage = &rule.Rule{
	ID:       "DV411",
	Name:     "oversized-image",
	Severity: finding.SeverityWarning,
	Summary:  "the image is larger than max-image-size (default 1 GiB): the base image plus what the Dockerfile adds, or a built image's layers",
	Doc: `A big image is pulled onto every node that runs it, fills node disks (a
3 GB image on 20 GB nodes leaves little room for anything else) and slows
every deploy, scale-up and node replacement.

dockvet adds up what it knows of the final image: the base image's size (the
sum of its compressed layer sizes from the registry manifest, when base
images are looked up) and the bytes that COPY and ADD of the final image add
from the build context (read as BuildKit sends it, honouring .dockerignore).
It reports when the sum exceeds max-image-size (1 GiB unless the config says
otherwise), at the instruction that crosses the limit, with the breakdown.
What it cannot know is left out and the message says so: RUN layers, COPY
--from, remote ADD sources, the unpacked size of archives, and the base image
when it could not be resolved (offline, see DV001). The base is counted
compressed and the context uncompressed, so the sum is an estimate, not the
number docker images prints.

dockvet image adds up the layer sizes of the image's manifest: compressed,
what a pull downloads (a docker archive stores its layers uncompressed; the
message says which), with nothing downloaded. The finding is on line 0 (the
image as a whole) and names the largest layers with the history entries that
made them, and the part that comes from the base image.

Start from a smaller base (slim, distroless, alpine, scratch for static
binaries), keep build tools in a builder stage, and keep data out of the
image (.dockerignore, fetch at run time, or an image volume on Kubernetes
1.33+). If the image really must be that big, raise max-image-size in
.dockvet.yaml.`,
	Bad: `FROM nvidia/cuda:12.4.1-devel-ubuntu22.04
COPY . /app`,
	Good: `FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS build
COPY . /src
RUN make -C /src
FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
COPY --from=build /src/bin/app /usr/local/bin/app`,
	NeedsBase:           true,
	ReadsContext:        true,
	Check:               checkOversizedImage,
	CheckImage:          checkOversizedImageImage,
	CheckManifest:       checkOversizedImageManifest,
	ManifestNeedsImages: true,
}

func checkOversizedImage(pass *rule.Pass) {
	chain := pass.File.FinalChain()
	if len(chain) == 0 {
		return
	}
	root := chain[0]
	if root.Base == nil || root.From == nil {
		return
	}
	limit := maxImageSize(pass)

	// The base image.
	var baseSize int64
	at := root.Base.Range
	img, ref, _ := pass.BaseImage(root)
	if img != nil && !root.Base.Scratch {
		baseSize = img.CompressedSize()
	}

	// What the Dockerfile adds from the build context.
	type layer struct {
		cost *copyCost
		at   source.Range
	}
	var layers []layer
	var own int64
	lower := false
	unknown := false
	crossing := source.Range{}
	crossed := baseSize > limit
	if crossed {
		crossing = at
	}
	// Without a context the sources are not counted, unless the file copies
	// nothing from a context: the engine then opens none, and the message
	// is the one a context would give (inline and downloaded sources are
	// of unknown size).
	noContext := pass.Context == nil && rule.CopiesFromContext(pass.File)
	for _, in := range pass.File.FinalInstructions() {
		cost := measureCopy(pass.Context, in)
		if cost == nil {
			unknown = unknown || (pass.Context == nil && !noContext && rule.IsContextCopy(in))
			continue
		}
		if !cost.measured {
			unknown = true
			continue
		}
		own += cost.total
		lower = lower || cost.lower
		for _, ms := range cost.sources {
			unknown = unknown || (ms.unknown != "" && ms.src == nil)
		}
		layers = append(layers, layer{cost: cost, at: srcRange(in)})
		if !crossed && baseSize+own > limit {
			crossed, crossing = true, srcRange(in)
		}
	}
	total := baseSize + own
	if total <= limit {
		return
	}
	// The message, only now: most images are under the limit.
	var parts []string
	switch {
	case root.Base.Scratch:
		parts = append(parts, "FROM scratch")
	case img != nil:
		parts = append(parts, fmt.Sprintf("base image %s %s compressed", ref.Expanded, config.FormatSize(baseSize)))
	default:
		name := root.Base.Expanded
		if name == "" {
			name = root.Base.Raw
		}
		parts = append(parts, fmt.Sprintf("base image %s not counted (not resolved)", name))
	}
	if noContext {
		parts = append(parts, "the build context was not read (no context)")
	} else if len(layers) > 0 {
		// The biggest contributions first, three at most.
		sorted := slices.Clone(layers)
		slices.SortStableFunc(sorted, func(a, b layer) int {
			switch {
			case a.cost.total > b.cost.total:
				return -1
			case a.cost.total < b.cost.total:
				return 1
			}
			return 0
		})
		var lines []string
		for _, l := range sorted {
			if l.cost.total == 0 {
				continue
			}
			lines = append(lines, fmt.Sprintf("line %d: %s %s", l.cost.in.StartLine, instructionText(l.cost.in), config.FormatSize(l.cost.total)))
		}
		if len(lines) > 0 {
			parts = append(parts, fmt.Sprintf("%s from the build context (%s)", size(own, lower), listAdders(lines, "; ")))
		}
	}
	notCounted := "RUN layers and COPY --from"
	if unknown {
		notCounted += ", sources of unknown size"
	}
	msg := fmt.Sprintf("the final image is about %s, more than max-image-size %s: %s; not counted: %s",
		size(total, lower), config.FormatSize(limit), strings.Join(parts, " + "), notCounted)
	var related []finding.Related
	for _, l := range layers {
		if l.at == crossing || l.cost.total == 0 {
			continue
		}
		related = append(related, finding.Related{Range: l.at, Message: fmt.Sprintf("adds %s from the build context", size(l.cost.total, l.cost.lower))})
	}
	if crossing != at && img != nil {
		related = append([]finding.Related{{Range: at, Message: fmt.Sprintf("base image: %s compressed", config.FormatSize(baseSize))}}, related...)
	}
	pass.Report(rule.Diagnostic{Range: crossing, Message: msg, Related: related})
}

// checkOversizedImageImage reports a built image whose layers, as the
// manifest counts them, exceed max-image-size, on line 0 with the largest
// layers and the base image's part.
func checkOversizedImageImage(pass *rule.ImagePass) {
	img := pass.Image
	limit := imageLimit(pass.Limits)
	total := img.CompressedSize()
	if total <= limit {
		return
	}
	entries, lined := imagesrc.LayerEntries(img)
	order := make([]int, len(img.Layers))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(img.Layers[b].Size, img.Layers[a].Size) })
	var top []string
	for _, i := range order[:min(3, len(order))] {
		l := img.Layers[i]
		if lined {
			n := entries[i]
			top = append(top, fmt.Sprintf("entry %d `%s` %s", n, shortQuote(imagesrc.QuoteEntry(img.History[n-1].CreatedBy)), config.FormatSize(l.Size)))
		} else {
			top = append(top, fmt.Sprintf("%s %s", layerName(img, i), config.FormatSize(l.Size)))
		}
	}
	count := plural(len(img.Layers), "layer")
	if img.Deep != nil && imagesrc.ImageStorage(img) != "uncompressed" {
		count = config.FormatSize(img.Deep.UncompressedSize) + " uncompressed, " + count
	}
	msg := fmt.Sprintf("the image is %s %s (%s), more than max-image-size %s; largest: %s",
		config.FormatSize(total), imagesrc.ImageStorage(img), count, config.FormatSize(limit), strings.Join(top, ", "))
	if base := imagesrc.BaseEntries(img); lined && base > 0 {
		var baseSize int64
		for i, n := range entries {
			if n <= base {
				baseSize += img.Layers[i].Size
			}
		}
		msg += fmt.Sprintf("; the base image's part of the history (entries 1-%d) is %s", base, config.FormatSize(baseSize))
	}
	if !lined {
		msg += "; " + historyMismatch(img) + ", so the steps that made them are unknown"
	}
	msg += "; start from a smaller base, keep build tools in a builder stage and data out of the image"
	pass.Report(rule.Diagnostic{Range: rule.ConfigRange, Message: msg})
}

// checkOversizedImageManifest reports a container's image whose layers, as
// its manifest counts them, exceed max-image-size.
func checkOversizedImageManifest(pass *rule.ManifestPass) {
	w := pass.Workload
	limit := imageLimit(pass.Limits)
	for _, u := range containerUses(w) {
		img, _ := pass.Image(u)
		if img == nil || img.CompressedSize() <= limit {
			continue
		}
		pass.Report(u, rule.Diagnostic{Range: u.Range, Message: fmt.Sprintf("%s is %s %s (%s), more than max-image-size %s; every node that schedules a replica pulls it, and pods wait for the pull: build a smaller image (multi-stage, a slimmer base), or ship large data as an image volume",
			useName(w, u), config.FormatSize(img.CompressedSize()), imagesrc.ImageStorage(img), plural(len(img.Layers), "layer"), config.FormatSize(limit))})
	}
}

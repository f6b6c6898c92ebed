package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
)

// WastedLayerBytes is DV500.
var WastedLayerBytes = &rule.Rule{
	ID:       "DV500",
	Name:     "wasted-layer-bytes",
	Severity: finding.SeverityWarning,
	Summary:  "(dockvet image --deep) bytes that later layers delete or overwrite exceed max-wasted-bytes (default 50 MiB)",
	Doc: `Layers only ever add. A file that a later layer deletes (rm in a later RUN:
a whiteout) or replaces (the same path written again: chmod or chown -R in a
later RUN, a newer version of the file, a later COPY over it; or a directory
that a later layer replaces whole) is invisible in the container, but its
bytes stay in the layer that added it: every node pulls, unpacks and stores
them. apt lists removed in a later RUN, build tools uninstalled after the
build, and RUN chown -R app /app after COPY . /app (which copies every file
into a new layer) are the usual causes.

This rule needs the layers' contents, so it runs only with dockvet image
--deep, which reads every layer once (tar headers only) and caches what it
learns by layer digest. It adds up the bytes of every file that a later
layer deletes, hides (an opaque directory) or overwrites, and reports when
the total exceeds max-wasted-bytes (50 MiB unless .dockvet.yaml says
otherwise). The finding is on the history entry that deletes or overwrites
the most, and lists the largest wasted paths with the entries that added
and removed them; the related locations are those entries. Without --deep
the rule is silent: DV401 and DV404 find the same mistakes in RUN commands,
without their size.

Create, use and delete files in one RUN (or in a build stage, and COPY
--from only the result); set owners and modes with COPY --chown and --chmod
instead of a later RUN chown or chmod; clean package caches in the RUN that
fills them.`,
	Bad: `FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends build-essential
COPY . /app
RUN make -C /app && apt-get purge -y build-essential && rm -rf /var/lib/apt/lists/*
RUN chown -R 1000 /app`,
	Good: `FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN make -C /src

FROM debian:12-slim
COPY --from=build --chown=1000 /src/out /app`,
	CheckImage: checkWastedLayerBytes,
}

// maxWastedListed is how many paths and entry pairs a DV500 message names.
const maxWastedListed = 5

func maxWastedBytes(p *rule.ImagePass) int64 {
	if p.Limits.MaxWastedBytes > 0 {
		return p.Limits.MaxWastedBytes
	}
	return config.DefaultMaxWastedBytes
}

func checkWastedLayerBytes(pass *rule.ImagePass) {
	img := pass.Image
	d := img.Deep
	if d == nil || len(d.WastePairs) == 0 {
		return
	}
	limit := maxWastedBytes(pass)
	if d.Wasted <= limit {
		return
	}
	// The finding goes where most bytes are thrown away: the entry that
	// deletes or overwrites the most.
	byLayer := map[int]int64{}
	for _, p := range d.WastePairs {
		byLayer[p.By] += p.Bytes
	}
	worst := d.WastePairs[0].By
	for l, n := range byLayer {
		if n > byLayer[worst] || n == byLayer[worst] && l < worst {
			worst = l
		}
	}

	var paths []string
	for i, w := range d.Waste {
		if i == maxWastedListed {
			paths = append(paths, fmt.Sprintf("and %d more", len(d.Waste)-i))
			break
		}
		paths = append(paths, fmt.Sprintf("%s (%s) added by %s, %s by %s",
			w.Path, sizeAndFiles(w.Bytes, w.Files), deepLayerName(d, w.Layer), w.How, deepLayerName(d, w.By)))
	}
	msg := fmt.Sprintf("%s: later layers delete or overwrite %s that earlier layers add, more than max-wasted-bytes %s; every node still pulls and stores those bytes: %s. Remove files in the RUN that creates them (or build in another stage and COPY --from the result), and set owners and modes with COPY --chown/--chmod instead of a later RUN",
		quotedLayer(img, worst), config.FormatSize(d.Wasted), config.FormatSize(limit), strings.Join(paths, "; "))

	var related []finding.Related
	relate := func(layer int, text string) {
		if d.LayerEntry(layer) == 0 {
			return
		}
		related = append(related, finding.Related{Range: deepLayerRange(pass, layer), Message: text})
	}
	for i, p := range d.WastePairs {
		if i == maxWastedListed {
			break
		}
		verb := wasteVerb(d, p)
		relate(p.Layer, fmt.Sprintf("adds %s that %s %s", sizeThenFiles(p.Bytes, p.Files), deepLayerName(d, p.By), verb))
		if p.By != worst {
			relate(p.By, fmt.Sprintf("%s %s that %s added", verb, sizeThenFiles(p.Bytes, p.Files), deepLayerName(d, p.Layer)))
		}
	}
	slices.SortStableFunc(related, func(a, b finding.Related) int { return cmp.Compare(a.Range.Start.Line, b.Range.Start.Line) })

	pass.Report(rule.Diagnostic{Range: deepLayerRange(pass, worst), Message: msg, Related: related})
}

// wasteVerb says how a pair's bytes were wasted, from the listed paths:
// "deletes", "overwrites", "hides", or "deletes or overwrites" when they
// differ or are not listed.
func wasteVerb(d *image.DeepInfo, p image.WastePair) string {
	var how image.WasteHow
	for _, w := range d.Waste {
		if w.Layer != p.Layer || w.By != p.By {
			continue
		}
		if how != "" && how != w.How {
			return "deletes or overwrites"
		}
		how = w.How
	}
	switch how {
	case image.WasteDeleted:
		return "deletes"
	case image.WasteOverwritten:
		return "overwrites"
	case image.WasteHidden:
		return "hides"
	}
	return "deletes or overwrites"
}

// deepLayerName names layer i by the history entry that made it ("history
// entry 5"), or by position when the history does not say ("layer 3").
func deepLayerName(d *image.DeepInfo, i int) string {
	n := d.LayerEntry(i)
	if n == 0 {
		return "layer " + strconv.Itoa(i+1)
	}
	return "history entry " + strconv.Itoa(n)
}

// quotedLayer is deepLayerName with the entry's text, as other image messages
// begin: "history entry 5 `RUN rm -rf /var/lib/apt/lists/*`".
func quotedLayer(img *image.Image, i int) string {
	n := img.Deep.LayerEntry(i)
	if n == 0 {
		return deepLayerName(img.Deep, i)
	}
	return entryRef(n, imagesrc.QuoteEntry(img.History[n-1].CreatedBy))
}

// sizeAndFiles is "40 MiB, 5 files", or "24 MiB" for one file.
func sizeAndFiles(bytes int64, files int) string {
	if files == 1 {
		return config.FormatSize(bytes)
	}
	return fmt.Sprintf("%s, %d files", config.FormatSize(bytes), files)
}

// sizeThenFiles is "40 MiB (5 files)", or "24 MiB" for one file.
func sizeThenFiles(bytes int64, files int) string {
	if files == 1 {
		return config.FormatSize(bytes)
	}
	return fmt.Sprintf("%s (%d files)", config.FormatSize(bytes), files)
}

// deepLayerRange is the range of layer i's history entry, or the config's.
func deepLayerRange(pass *rule.ImagePass, i int) source.Range {
	if n := pass.Image.Deep.LayerEntry(i); n > 0 {
		return imagesrc.EntryRange(pass.Image, pass.History, n, "")
	}
	return rule.ConfigRange
}

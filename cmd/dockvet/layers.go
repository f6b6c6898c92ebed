package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/report"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/rules"
)

// This file draws the layer pictures of `dockvet image --layers` and
// `dockvet lint --layers` (report.WriteLayers draws; this fills the rows).
//
// With -f text the pictures go to stdout before the findings. With any other
// format they go to stderr: stdout must stay exactly that format (the JSON
// document is a versioned contract, gnu one line per finding), and a picture
// is for people anyway.

const layersFlagHelp = "as bars of their sizes (to stdout before the findings with -f text, to stderr with other formats)"

// layersOutput is where the pictures go, and whether they are colored
// (--color as for the findings, judged for that stream).
func (e *env) layersOutput(format, colorMode string) (io.Writer, bool, error) {
	w := e.stdout
	if format != "text" {
		w = e.stderr
	}
	c, err := e.colorFor(colorMode, w)
	return w, c, err
}

// writeLayerTables writes the tables, each followed by a blank line.
func writeLayerTables(w io.Writer, tables []report.LayerTable, color bool) error {
	for _, t := range tables {
		if err := report.WriteLayers(w, t, report.Options{Color: color}); err != nil {
			return err
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

// imageLayerTable pictures a built image: one row per history entry (the
// entries that made no layer are marked empty), sized by the manifest's
// layers. When the history does not line up with the layers, one row per
// layer instead. Marks: VOLUME paths an entry declares, layers over
// max-layer-size and, with --deep, wasted bytes and content under volumes.
func imageLayerTable(name string, img *image.Image, limits rule.Limits) report.LayerTable {
	t := report.LayerTable{
		Title:    imageTitle(name, img),
		Column:   "entry",
		SizeNote: imagesrc.ImageStorage(img),
	}
	limit := limits.MaxLayerSize
	if limit <= 0 {
		limit = config.DefaultMaxLayerSize
	}
	deep := img.Deep
	if deep != nil && len(deep.Layers) != len(img.Layers) {
		deep = nil
	}
	if deep != nil {
		t.Uncompressed = deep.UncompressedSize
	}
	// Marks of each layer, by layer index.
	layerMarks := make([][]report.Mark, len(img.Layers))
	for i, l := range img.Layers {
		if l.Size > limit {
			layerMarks[i] = append(layerMarks[i], report.Mark{Text: "over max-layer-size " + config.FormatSize(limit), Warning: true})
		}
		if deep != nil && deep.Layers[i].Wasted > 0 {
			layerMarks[i] = append(layerMarks[i], report.Mark{Text: "wasted " + config.FormatSize(deep.Layers[i].Wasted), Warning: true})
		}
	}
	if deep != nil {
		for _, v := range deep.Volumes {
			for _, vl := range v.Layers {
				if vl.Layer >= 0 && vl.Layer < len(layerMarks) {
					layerMarks[vl.Layer] = append(layerMarks[vl.Layer], report.Mark{
						Text: fmt.Sprintf("%s under VOLUME %s", config.FormatSize(vl.Bytes), v.Path), Warning: true})
				}
			}
		}
	}

	entries, lined := imagesrc.LayerEntries(img)
	if !lined {
		t.Column = "layer"
		for i, l := range img.Layers {
			text := shortDigestText(l.Digest)
			t.Rows = append(t.Rows, report.LayerRow{Label: strconv.Itoa(i + 1), Size: l.Size, Text: text, Marks: layerMarks[i]})
		}
		if len(img.History) == 0 {
			t.Notes = append(t.Notes, "the image has no history: the steps that made the layers are unknown")
		} else {
			t.Notes = append(t.Notes, fmt.Sprintf("the history (%s) does not line up with the %s: the steps that made them are unknown",
				countText(len(img.History), "entry", "entries"), countText(len(img.Layers), "layer", "layers")))
		}
		if len(img.Volumes) > 0 {
			t.Notes = append(t.Notes, "volumes: "+strings.Join(img.Volumes, ", "))
		}
		return t
	}
	layerOf := map[int]int{} // history entry → layer index
	for i, n := range entries {
		layerOf[n] = i
	}
	for i, h := range img.History {
		n := i + 1
		row := report.LayerRow{Label: strconv.Itoa(n), Text: imagesrc.QuoteEntry(h.CreatedBy)}
		if h.EmptyLayer {
			row.Empty = true
			row.Marks = append(row.Marks, report.Mark{Text: "empty"})
		} else {
			li := layerOf[n]
			row.Size = img.Layers[li].Size
			row.Marks = append(row.Marks, layerMarks[li]...)
		}
		if e := imagesrc.ParseEntry(h.CreatedBy); e.Keyword == "VOLUME" {
			for _, p := range e.List {
				row.Marks = append(row.Marks, report.Mark{Text: "VOLUME " + p, Warning: true})
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// imageTitle is "REF · os/arch · sha256:0123456789ab".
func imageTitle(name string, img *image.Image) string {
	parts := []string{name}
	if img.OS != "" || img.Architecture != "" {
		p := img.OS + "/" + img.Architecture
		if img.Variant != "" {
			p += "/" + img.Variant
		}
		parts = append(parts, p)
	}
	if img.Digest != "" {
		parts = append(parts, shortDigestText(img.Digest))
	}
	return strings.Join(parts, " · ")
}

// shortDigestText is a digest's algorithm and first 12 hex digits.
func shortDigestText(d string) string {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) <= 12 {
		return d
	}
	return alg + ":" + hex[:12]
}

// baseAnswer is what a lint run learned of a base image.
type baseAnswer struct {
	img *image.Image
	err error
}

// recordingResolver remembers the base images a lint run resolved, so that
// --layers can show their sizes without asking the registry again.
type recordingResolver struct {
	engine.BaseResolver
	mu  sync.Mutex
	got map[registry.Request]registry.Result
}

func (r *recordingResolver) Resolve(ctx context.Context, reqs []registry.Request) []registry.Result {
	res := r.BaseResolver.Resolve(ctx, reqs)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.got == nil {
		r.got = map[registry.Request]registry.Result{}
	}
	for i, q := range reqs {
		if i < len(res) {
			r.got[q] = res[i]
		}
	}
	return res
}

// answer returns what the run learned of the base image of stage s.
func (r *recordingResolver) answer(s *dockerfile.Stage, platform string) baseAnswer {
	if r == nil || s.Base == nil {
		return baseAnswer{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	res, ok := r.got[registry.Request{Ref: s.Base.Expanded, Platform: s.BasePlatform(platform)}]
	if !ok {
		return baseAnswer{}
	}
	return baseAnswer{img: res.Image, err: res.Err}
}

// dockerfileLayerTable pictures the final image of a Dockerfile before it
// is built: the base image (its compressed size, when it was resolved),
// then each RUN, COPY and ADD of the final stages with what is known of its
// size (COPY and ADD from the build context, measured as DV410 measures
// them; RUN and COPY --from only after the build), and VOLUME instructions.
func dockerfileLayerTable(f *dockerfile.File, bctx *buildctx.Context, base func(*dockerfile.Stage) baseAnswer, limits rule.Limits) report.LayerTable {
	t := report.LayerTable{Title: f.Name + " · final image", Column: "line"}
	chain := f.FinalChain()
	if len(chain) == 0 {
		t.Notes = append(t.Notes, "no final image: the file has no stage")
		return t
	}
	if last := chain[len(chain)-1]; last.Name != "" {
		t.Title += " (stage " + last.Name + ")"
	}
	limit := limits.MaxLayerSize
	if limit <= 0 {
		limit = config.DefaultMaxLayerSize
	}
	for _, in := range f.FinalInstructions() {
		row := report.LayerRow{Label: strconv.Itoa(in.StartLine), Text: instructionLine(in)}
		switch in.Keyword {
		case "FROM":
			s := in.Stage
			if s == nil || s.Parent != nil {
				continue // FROM <stage>: the layers are the parent's, listed above
			}
			if len(in.Args()) > 0 { // the image, without "AS name" (the title names the stage)
				row.Text = "FROM " + in.Args()[0].Value
			}
			baseRow(&row, s, base)
		case "RUN":
			row.Size = report.UnknownSize
		case "COPY", "ADD":
			cost := rules.MeasureContext(bctx, in)
			switch {
			case cost == nil:
				row.Size = report.UnknownSize
				if fl, ok := in.Flag("from"); ok {
					row.Marks = append(row.Marks, report.Mark{Text: "from " + fl.Value})
				} else if !in.Invalid {
					row.Marks = append(row.Marks, report.Mark{Text: "no build context"})
				}
			case cost.Measured:
				row.Size, row.AtLeast = cost.Bytes, cost.AtLeast || len(cost.Unknown) > 0
				if cost.Bytes > limit {
					row.Marks = append(row.Marks, report.Mark{Text: "over max-layer-size " + config.FormatSize(limit), Warning: true})
				}
			case len(cost.Unknown) == 0:
				row.Size = 0 // only heredocs: a few bytes of the Dockerfile
			default:
				row.Size = report.UnknownSize
			}
			if cost != nil {
				for _, u := range cost.Unknown {
					row.Marks = append(row.Marks, report.Mark{Text: u})
				}
			}
		case "VOLUME":
			row.Empty = true
			for _, tok := range in.Args() {
				row.Marks = append(row.Marks, report.Mark{Text: "VOLUME " + tok.Value, Warning: true})
			}
		default:
			continue
		}
		t.Rows = append(t.Rows, row)
	}
	if bctx != nil {
		dir := bctx.Dir()
		if !strings.HasSuffix(dir, "/") {
			dir += "/"
		}
		t.Notes = append(t.Notes, fmt.Sprintf("COPY and ADD: bytes in the build context %s (uncompressed); FROM: the base image's layers (compressed)", dir))
	} else {
		t.Notes = append(t.Notes, "no build context: COPY and ADD are not measured (--context DIR names one)")
	}
	t.Notes = append(t.Notes, "RUN and COPY --from are known only after the build: dockvet image --layers")
	return t
}

// baseRow fills the row of the root stage's FROM.
func baseRow(row *report.LayerRow, s *dockerfile.Stage, base func(*dockerfile.Stage) baseAnswer) {
	ref := s.Base
	switch {
	case ref == nil:
		row.Size = report.UnknownSize
		return
	case ref.Scratch:
		row.Empty = true
		row.Marks = append(row.Marks, report.Mark{Text: "empty"})
		return
	case len(ref.Unresolved) > 0:
		row.Size = report.UnknownSize
		row.Marks = append(row.Marks, report.Mark{Text: "base image unknown: $" + strings.Join(ref.Unresolved, ", $") + " has no value"})
		return
	}
	a := baseAnswer{}
	if base != nil {
		a = base(s)
	}
	switch {
	case a.img != nil:
		row.Size = a.img.CompressedSize()
		row.Marks = append(row.Marks, report.Mark{Text: "base image, " + countText(len(a.img.Layers), "layer", "layers")})
	case a.err != nil:
		row.Size = report.UnknownSize
		why := a.err.Error()
		var re *registry.Error
		if errors.As(a.err, &re) {
			why = string(re.Reason)
		}
		row.Marks = append(row.Marks, report.Mark{Text: "base image not resolved: " + why})
	default:
		row.Size = report.UnknownSize
		row.Marks = append(row.Marks, report.Mark{Text: "base image not looked up"})
	}
}

// instructionLine is an instruction on one line: keyword, flags, arguments.
func instructionLine(in *dockerfile.Instruction) string {
	parts := []string{in.Keyword}
	for _, fl := range in.Flags {
		s := "--" + fl.Name
		if fl.HasValue {
			s += "=" + fl.Value
		}
		parts = append(parts, s)
	}
	if in.ArgsText != "" {
		parts = append(parts, in.ArgsText)
	}
	return strings.Join(parts, " ")
}

// lintLayers prints the picture of each Dockerfile's final image, after
// the lint run that resolved its base image and read its build context.
func (e *env) lintLayers(eng *engine.Engine, inputs []engine.Input, s *settings, rec *recordingResolver, fl *lintFlags) error {
	w, color, err := e.layersOutput(fl.format, fl.color)
	if err != nil {
		return err
	}
	var tables []report.LayerTable
	for _, in := range inputs {
		f, err := dockerfile.Parse(in.Name, in.Src, s.parse)
		if err != nil {
			continue // the lint run reported it
		}
		base := func(st *dockerfile.Stage) baseAnswer { return rec.answer(st, s.parse.Platform) }
		tables = append(tables, dockerfileLayerTable(f, eng.BuildContext(in), base, s.rules.Limits))
		f.Release() // the table holds strings and sizes: the model serves the next file
	}
	if err := writeLayerTables(w, tables, color); err != nil {
		return &codeError{code: exitError, err: fmt.Errorf("writing output: %w", err)}
	}
	return nil
}

// imageLayers prints the picture of each image that could be read.
func (e *env) imageLayers(inputs []engine.ImageInput, limits rule.Limits, fl *lintFlags) error {
	w, color, err := e.layersOutput(fl.format, fl.color)
	if err != nil {
		return err
	}
	var tables []report.LayerTable
	for _, in := range inputs {
		if in.Err == nil && in.Image != nil {
			tables = append(tables, imageLayerTable(in.Name, in.Image, limits))
		}
	}
	if err := writeLayerTables(w, tables, color); err != nil {
		return &codeError{code: exitError, err: fmt.Errorf("writing output: %w", err)}
	}
	return nil
}

// countText is "1 layer" or "3 layers".
func countText(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

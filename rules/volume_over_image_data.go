package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/imagesrc"
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

With a build context (the Dockerfile's directory, or --context DIR; read as
BuildKit sends it, honouring .dockerignore) the message states the cost:
how many bytes of COPY and ADD sources land under the volume, from their
sizes on disk. The context also shows what a directory source puts below
its destination, so COPY . /app with VOLUME /app/data is reported when the
context has a data/ directory.

Volumes declared by the base image count too (FROM postgres:16, then COPY
seed/ /var/lib/postgresql/data): dockvet reads the base image's config and
reports those on the FROM line. No Dockerfile can remove an inherited VOLUME,
so there the fix is to keep the data elsewhere or to change the base image.

For a built image, dockvet image --deep reads the layers (tar headers only)
and reports each VOLUME of the image's config under which the final
filesystem holds files, after later layers' deletions: the exact bytes and
files containerd copies at every start, and the history entries that put
them there. Without --deep, dockvet image cannot see layer contents and this
rule stays silent (DV100 and DV102 still report the volumes).

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
	NeedsBase:           true,
	ReadsContext:        true,
	Check:               checkVolumeOverImageData,
	CheckImage:          checkVolumeOverImageDataImage,
	CheckManifest:       checkVolumeOverImageDataManifest,
	ManifestNeedsImages: true,
}

func checkVolumeOverImageData(pass *rule.Pass) {
	// Most files declare no volume at all: decide that before working out
	// everything the final image adds (finalAdditions), which costs far more.
	if !finalChainHas(pass.File, "VOLUME") && !finalBaseDeclaresVolumes(pass) {
		return
	}
	steps := rule.ResultOf(pass, finalAdditions)
	var adds []addition
	for _, s := range steps {
		adds = append(adds, s.adds...)
	}
	if len(adds) == 0 {
		return
	}
	own := map[string]bool{}
	for _, s := range steps {
		if s.in.Keyword != "VOLUME" || s.in.Invalid {
			continue
		}
		for _, tok := range volumePathsWith(*s.chainStep) {
			if !strings.HasPrefix(tok.Value, "/") {
				continue
			}
			vol := path.Clean(tok.Value)
			if vol == "/" {
				continue
			}
			own[vol] = true
			v := addersUnder(pass, adds, vol)
			if len(v.related) == 0 {
				continue
			}
			pass.Report(rule.Diagnostic{
				Range: tok.Range,
				Message: fmt.Sprintf("VOLUME %s covers data this image adds (%s): %s; remove the VOLUME and declare the volume in the pod spec or compose file, or keep the data elsewhere",
					vol, listAdders(v.lines, "; "), v.copies()),
				Related: v.related,
			})
		}
	}
	// Volumes the base image declares: the Dockerfile cannot remove them, so
	// the data has to go elsewhere.
	img, ref, _ := pass.FinalBase()
	if img == nil {
		return
	}
	for _, v := range img.Volumes {
		vol := path.Clean(v)
		if !strings.HasPrefix(vol, "/") || vol == "/" || own[vol] {
			continue
		}
		v := addersUnder(pass, adds, vol)
		if len(v.related) == 0 {
			continue
		}
		pass.Report(rule.Diagnostic{
			Range: ref.Range,
			Message: fmt.Sprintf("base image %s declares VOLUME %s and this image adds data there (%s): %s, and no Dockerfile can remove an inherited VOLUME; keep the data elsewhere or build on a base without the volume",
				ref.Expanded, vol, listAdders(v.lines, "; "), v.copies()),
			Related: v.related,
		})
	}
}

// finalBaseDeclaresVolumes reports whether the final image's base image
// declares a VOLUME in its config.
func finalBaseDeclaresVolumes(pass *rule.Pass) bool {
	img, _, _ := pass.FinalBase()
	return img != nil && len(img.Volumes) > 0
}

// volumePathsWith is volumePaths without guesses: a path whose variables
// have no known value (in the Dockerfile or, when it is read, the base
// image's Env) is left out instead of read with them empty (VOLUME
// $APP/data is not /data).
func volumePathsWith(s chainStep) []dockerfile.Token {
	in := s.in
	var out []dockerfile.Token
	plain := volumePaths(in) // the paths without variables, as every VOLUME rule reads them
	if len(plain) == 0 && !in.JSON && len(in.Args()) > 0 && strings.HasPrefix(in.Args()[0].Value, "[") {
		return nil // malformed JSON: DV103's
	}
	for _, a := range in.Args() {
		if !strings.Contains(a.Value, "$") {
			for _, p := range plain {
				if p.Range == a.Range {
					out = append(out, p)
				}
			}
			continue
		}
		// BuildKit expands JSON strings with the same lexer.
		if v, ok := in.ExpandWith(a.Value, s.base.get()); ok && v != "" {
			out = append(out, dockerfile.Token{Value: v, Range: a.Range})
		}
	}
	return out
}

// volumeAdders is what the final image puts under one VOLUME path.
type volumeAdders struct {
	related []finding.Related
	lines   []string // "line N: what"
	// With a build context: the bytes COPY/ADD put there and the context
	// paths they come from.
	bytes    int64
	from     []string
	measured bool // some bytes were measured
	unknown  bool // some adder's size is unknown (RUN, COPY --from, remote)
	lower    bool // some measured size is a lower bound
	// dests are the measured adders' destinations under the volume and
	// their bytes, to tell when one may overwrite another's files.
	dests []measuredDest
}

type measuredDest struct {
	path  string
	bytes int64
	// at measures what this adder puts at path/rel (0 when unknown).
	at func(rel string) int64
}

// underSources measures what the measured sources put at rel below the
// destination they are copied to.
func underSources(sources []measuredSource, rel string) int64 {
	var n int64
	for _, ms := range sources {
		if m, ok := ms.src.Under(rel); ok {
			n += m.Size
		}
	}
	return n
}

// total is the measured bytes under the volume. When one adder's
// destination lies inside another's (COPY . /app, then COPY models
// /app/models) and the outer one also puts files there, the inner one may
// overwrite them: the overlap (at most the smaller of the two) is not
// counted twice, and the total becomes a lower bound.
func (v *volumeAdders) total() (n int64, lower bool) {
	for i, d := range v.dests {
		n += d.bytes
		for j, outer := range v.dests {
			if i == j || outer.at == nil || d.path == outer.path || !pathUnder(d.path, outer.path) {
				continue
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(d.path, outer.path), "/")
			if o := min(outer.at(rel), d.bytes); o > 0 {
				n -= o
				lower = true
			}
		}
	}
	return max(n, 0), lower
}

// addersUnder returns the additions at or below vol, one per instruction.
// With a build context it also measures them, and finds a volume below a
// COPY destination that a directory source fills (COPY . /app with VOLUME
// /app/data and a data/ directory in the context).
func addersUnder(pass *rule.Pass, adds []addition, vol string) *volumeAdders {
	v := &volumeAdders{}
	seen := map[*dockerfile.Instruction]bool{}
	costs := map[*dockerfile.Instruction]*copyCost{}
	measure := func(in *dockerfile.Instruction) *copyCost {
		if c, ok := costs[in]; ok {
			return c
		}
		c := measureCopy(pass.Context, in)
		costs[in] = c
		return c
	}
	for _, a := range adds {
		if seen[a.in] {
			continue
		}
		cost := measure(a.in)
		switch {
		case !a.glob && pathUnder(a.path, vol):
			if cost != nil && !a.dest && namesDirectory(cost, a.srcs) {
				continue // a directory's contents land in the destination, not at dest/<name>
			}
			seen[a.in] = true
			msg := fmt.Sprintf("adds %s under VOLUME %s", a.path, vol)
			if n, from, ok := v.addCost(cost, a.srcs); ok {
				v.dests = append(v.dests, measuredDest{path: a.path, bytes: n})
				if a.dest && namesDirectory(cost, a.srcs) {
					srcs := a.srcs
					v.dests[len(v.dests)-1].at = func(r string) int64 {
						var picked []measuredSource
						for _, ms := range cost.sources {
							if slices.ContainsFunc(srcs, func(t dockerfile.Token) bool { return t.Range == ms.tok.Range }) {
								picked = append(picked, ms)
							}
						}
						return underSources(picked, r)
					}
				}
				msg += fmt.Sprintf(" (%s from %s)", config.FormatSize(n), strings.Join(from, ", "))
			}
			v.related = append(v.related, finding.Related{Range: a.at, Message: msg})
			v.lines = append(v.lines, fmt.Sprintf("line %d: %s", a.in.StartLine, a.what))
		case a.dest && cost != nil && vol != a.path && pathUnder(vol, a.path) && !hasFlag(a.in, "parents"):
			rel := strings.TrimPrefix(strings.TrimPrefix(vol, a.path), "/")
			var n int64
			var from []string
			found, lower := false, false
			for _, ms := range cost.sources {
				if m, ok := ms.src.Under(rel); ok && (m.Size > 0 || m.Files > 0) {
					n += m.Size
					from = append(from, m.Display())
					found = true
					lower = lower || ms.src.Incomplete
				}
			}
			if !found {
				continue
			}
			seen[a.in] = true
			v.bytes += n
			volRel := rel
			v.dests = append(v.dests, measuredDest{path: vol, bytes: n, at: func(r string) int64 {
				return underSources(cost.sources, volRel+"/"+r)
			}})
			v.from = append(v.from, from...)
			v.measured = true
			v.lower = v.lower || lower
			v.related = append(v.related, finding.Related{
				Range:   a.at,
				Message: fmt.Sprintf("copies %s (%s) to %s, under VOLUME %s", strings.Join(from, ", "), config.FormatSize(n), vol, vol),
			})
			v.lines = append(v.lines, fmt.Sprintf("line %d: %s", a.in.StartLine, a.what))
		}
	}
	return v
}

// addCost adds what the sources srcs of an instruction put under a volume;
// ok is false when nothing was measured.
func (v *volumeAdders) addCost(cost *copyCost, srcs []dockerfile.Token) (int64, []string, bool) {
	if cost == nil {
		v.unknown = true // RUN, COPY --from, or no build context
		return 0, nil, false
	}
	var n int64
	var from []string
	for _, ms := range cost.sources {
		if !slices.ContainsFunc(srcs, func(t dockerfile.Token) bool { return t.Range == ms.tok.Range }) {
			continue
		}
		if ms.src == nil {
			v.unknown = true
			continue
		}
		n += ms.src.Total
		v.lower = v.lower || ms.src.Incomplete
		if ms.root {
			from = append(from, "the whole build context")
		} else if len(ms.src.Matches) == 1 {
			from = append(from, ms.src.Matches[0].Display())
		} else {
			from = append(from, ms.value)
		}
	}
	if len(from) == 0 {
		return 0, nil, false
	}
	v.bytes += n
	v.from = append(v.from, from...)
	v.measured = true
	return n, from, true
}

// namesDirectory reports whether the context says the one source in srcs
// is a directory.
func namesDirectory(cost *copyCost, srcs []dockerfile.Token) bool {
	if len(srcs) != 1 {
		return false
	}
	for _, ms := range cost.sources {
		if ms.tok.Range == srcs[0].Range && ms.src != nil && len(ms.src.Matches) == 1 {
			return ms.src.Matches[0].Dir
		}
	}
	return false
}

// copies is the cost clause of DV101's messages: "containerd copies 512 MiB
// (models/) into every container at start", or without a measurement
// "containerd copies it ...".
func (v *volumeAdders) copies() string {
	if !v.measured {
		return "containerd copies it into every container at start"
	}
	n, overlap := v.total()
	amount := config.FormatSize(n)
	if v.unknown || v.lower || overlap {
		amount = "at least " + amount
	}
	return fmt.Sprintf("containerd copies %s (%s) into every container at start", amount, listAdders(v.from, ""))
}

func hasFlag(in *dockerfile.Instruction, name string) bool {
	_, ok := in.Flag(name)
	return ok
}

// checkVolumeOverImageDataImage reports, with --deep, each config volume
// under which the final filesystem holds files: containerd copies exactly
// those at every container start. The finding is on the VOLUME history
// entry (line 0 when no entry declares the volume); the entries whose
// layers put the files there are its related locations.
func checkVolumeOverImageDataImage(pass *rule.ImagePass) {
	img := pass.Image
	d := img.Deep
	if d == nil || len(d.Volumes) == 0 {
		return
	}
	vols := imageVolumes(pass)
	for _, vd := range d.Volumes {
		i := slices.IndexFunc(vols, func(v imageVolume) bool { return v.path == vd.Path })
		if i < 0 {
			continue
		}
		v := vols[i]
		var from []string
		var related []finding.Related
		for _, vl := range vd.Layers {
			n := d.LayerEntry(vl.Layer)
			what := sizeAndFiles(vl.Bytes, vl.Files)
			name := deepLayerName(d, vl.Layer)
			if n > 0 {
				name = entryRef(n, imagesrc.QuoteEntry(img.History[n-1].CreatedBy))
			}
			from = append(from, fmt.Sprintf("%s (%s)", name, what))
			if n > 0 {
				related = append(related, finding.Related{
					Range:   imagesrc.EntryRange(img, pass.History, n, ""),
					Message: fmt.Sprintf("puts %s under VOLUME %s", sizeThenFiles(vl.Bytes, vl.Files), vd.Path),
				})
			}
		}
		files := "1 file"
		if vd.Files != 1 {
			files = fmt.Sprintf("%d files", vd.Files)
		}
		cost := fmt.Sprintf("containerd copies %s (%s) under %s into every container at start; they come from %s",
			config.FormatSize(vd.Bytes), files, vd.Path, listAdders(from, "; "))
		rng := v.rng
		var msg string
		switch {
		case !v.inherited:
			msg = fmt.Sprintf("%s: %s; delete the VOLUME from the Dockerfile and declare the volume in the pod spec or compose file, or keep the data elsewhere",
				entryRef(v.entry, v.quote), cost)
		case v.entry > 0:
			msg = fmt.Sprintf("%s, from the base image, declares VOLUME %s: %s; no Dockerfile can remove an inherited VOLUME, so keep the data elsewhere or build on a base without the volume",
				entryRef(v.entry, v.quote), vd.Path, cost)
		default:
			rng = rule.ConfigRange
			msg = fmt.Sprintf("the config declares VOLUME %s (no history entry does, so a base image did): %s; no Dockerfile can remove an inherited VOLUME, so keep the data elsewhere or build on a base without the volume",
				vd.Path, cost)
		}
		pass.Report(rule.Diagnostic{Range: rng, Message: msg, Related: related})
	}
}

// checkVolumeOverImageDataManifest reports, with dockvet manifests --deep,
// each VOLUME of a container's image that holds files and that the pod
// does not mount a volume over: the bytes the runtime copies at every
// container start, times the replicas. (Without --deep, DV102 reports the
// volume without its size.)
func checkVolumeOverImageDataManifest(pass *rule.ManifestPass) {
	w := pass.Workload
	for _, u := range containerUses(w) {
		img, _ := pass.Image(u)
		if img == nil || img.Deep == nil {
			continue
		}
		for _, vd := range img.Deep.Volumes {
			if u.Container.MountAt(vd.Path) != nil {
				continue // the mounted volume replaces the path: no copy
			}
			total := ""
			switch {
			case w.PerNode:
				total = ", on every node the DaemonSet runs on"
			case w.Replicas > 1 && !w.ReplicasFromVariable:
				total = fmt.Sprintf(" (%s per rollout)", config.FormatSize(vd.Bytes*int64(w.Replicas)))
			}
			pass.Report(u, rule.Diagnostic{Range: u.Range, Message: fmt.Sprintf("%s: the image holds %s under VOLUME %s and the %s mounts nothing there, so the runtime copies it into a new anonymous volume at every container start%s%s; mount a volume at %s (an emptyDir, or the data as an image volume), or keep the data out of the VOLUME path",
				useName(w, u), sizeThenFiles(vd.Bytes, vd.Files), vd.Path, u.Container.Kind, perReplicas(w), total, vd.Path)})
		}
	}
}

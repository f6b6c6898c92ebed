package dockerfile

import (
	"strings"

	"github.com/dockvet/dockvet/internal/source"
)

// RefKind tells where an image reference is written.
type RefKind int

const (
	RefFrom      RefKind = iota // FROM <image>
	RefCopyFrom                 // COPY --from=<image>
	RefMountFrom                // RUN --mount=from=<image>
)

func (k RefKind) String() string {
	switch k {
	case RefCopyFrom:
		return "COPY --from"
	case RefMountFrom:
		return "RUN --mount from"
	}
	return "FROM"
}

// ImageRef is an image reference after ARG expansion.
type ImageRef struct {
	Kind        RefKind
	Instruction *Instruction
	// Raw is the reference as written; Range is where.
	Raw   string
	Range source.Range
	// Expanded is Raw with ARGs expanded; Unresolved lists the variables that
	// had no value (no default, no --build-arg).
	Expanded   string
	Unresolved []string
	// Stage is set when the reference names a build stage, not an image.
	Stage *Stage
	// Scratch is set for FROM scratch.
	Scratch bool
	// Repository, Tag and Digest split Expanded ("" when absent).
	Repository, Tag, Digest string
	// TagRange is where the tag is written; the whole reference when the tag
	// comes from a variable.
	TagRange source.Range
}

// IsImage reports whether the reference names a registry image that could be
// checked: not a stage, not scratch, fully expanded.
func (r *ImageRef) IsImage() bool {
	return r.Stage == nil && !r.Scratch && len(r.Unresolved) == 0 && r.Expanded != ""
}

// newRef records the image reference raw of an instruction; span maps a
// byte span of raw to its source range.
func (f *File) newRef(kind RefKind, in *Instruction, raw string, span func(a, b int) source.Range) *ImageRef {
	rng := span(0, len(raw))
	r := f.mem.refs.one()
	*r = ImageRef{Kind: kind, Instruction: in, Raw: raw, Range: rng, TagRange: rng}
	r.Expanded, r.Unresolved = in.Expand(raw)
	f.ImageRefs = append(f.ImageRefs, r)
	if len(r.Unresolved) > 0 {
		return r
	}
	if st := f.stageNamed(r.Expanded, kind == RefCopyFrom); st != nil {
		r.Stage = st
		return r
	}
	if kind == RefFrom && strings.EqualFold(r.Expanded, "scratch") {
		r.Scratch = true
		return r
	}
	r.Repository, r.Tag, r.Digest = SplitReference(r.Expanded)
	if r.Tag != "" {
		// Point at the tag itself when it is written literally.
		if _, rawTag, _ := SplitReference(raw); rawTag == r.Tag && !strings.ContainsRune(rawTag, '$') {
			if i := strings.LastIndex(raw, ":"+rawTag); i >= 0 {
				r.TagRange = span(i+1, i+1+len(rawTag))
			}
		}
	}
	return r
}

// SplitReference splits "registry:5000/repo:tag@sha256:..." into repository,
// tag and digest, without validating it.
func SplitReference(ref string) (repo, tag, digest string) {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref, digest = ref[:i], ref[i+1:]
	}
	slash := strings.LastIndexByte(ref, '/')
	if i := strings.LastIndexByte(ref, ':'); i > slash {
		return ref[:i], ref[i+1:], digest
	}
	return ref, "", digest
}

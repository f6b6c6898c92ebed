// Package rule defines what a dockvet rule is and how it reports, in the manner of
// golang.org/x/tools/go/analysis: a rule is a value with an id, a name, a default
// severity, documentation and a Check function that inspects one parsed
// Dockerfile through a Pass. Rules never print, filter, sort or read files; the
// engine does all of that.
package rule

import (
	"fmt"
	"strings"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/source"
)

// DocsBase is where the generated rule reference lives; each rule has an anchor.
const DocsBase = "https://github.com/dockvet/dockvet/blob/main/docs/rules.md"

// Rule is one check.
type Rule struct {
	ID       string           // stable public id, e.g. "DV100"; never renumbered
	Name     string           // kebab-case name, e.g. "volume-instruction"
	Severity finding.Severity // default severity
	// DefaultOff rules run only when enabled (--enable, config "enable").
	DefaultOff bool
	// EnabledBy names the config key that also turns a DefaultOff rule on
	// (trusted-registries for DV204), for its documentation.
	EnabledBy string
	// Summary is one line for `dockvet rules`.
	Summary string
	// Doc explains why the rule exists and what to do about it (plain text, paragraphs
	// separated by blank lines). Bad and Good are Dockerfile snippets.
	Doc  string
	Bad  string
	Good string
	// NeedsBase declares that Check reads base images (Pass.BaseImage,
	// Pass.FinalBase). The engine looks base images up only when an enabled
	// rule needs them; for the others Pass.Bases is nil.
	NeedsBase bool
	// NeedsStageBases declares that Check also reads the base images of
	// builder stages (Pass.BaseImage on any stage), not only the final
	// image's: the engine then looks up every stage's base.
	NeedsStageBases bool
	// ReadsContext declares that Check reads the build context
	// (Pass.Context). The engine opens a file's context only when an
	// enabled rule reads it and the file copies from it (CopiesFromContext);
	// otherwise Pass.Context is nil, so a rule must report the same for a
	// file that copies nothing from the context with or without one.
	ReadsContext bool
	// OptIn, for a DefaultOff rule, reports whether a file turns the rule
	// on itself (BuildKit's `# check=experimental=` directive does so for
	// its experimental checks); the configuration's ignore still wins.
	OptIn func(f *dockerfile.File) bool
	// Group names the family a rule belongs to in `dockvet rules` ("" for
	// dockvet's own; "BuildKit" for the checks of `docker build --check`).
	Group string
	// UpstreamURL is the documentation of the check this rule carries over
	// from another tool (BuildKit's page for its checks), "" for none.
	UpstreamURL string
	// YieldsTo lists rules (ids) that report the same root cause in more
	// detail: a finding of this rule is dropped when one of them reports at
	// the same position (start line and column) of the same file.
	YieldsTo []string
	// Check inspects pass.File and reports through pass.
	Check func(pass *Pass)
	// CheckImage, when set, inspects a built image (dockvet image).
	CheckImage func(pass *ImagePass)
	// CheckManifest, when set, inspects a workload of a Kubernetes or
	// Compose file and the images it runs (dockvet manifests).
	CheckManifest func(pass *ManifestPass)
	// ManifestNeedsImages declares that CheckManifest reads the images'
	// configs (ManifestPass.Image): they are looked up only when an enabled
	// rule says so.
	ManifestNeedsImages bool
}

// URL is the rule's documentation page.
func (r *Rule) URL() string {
	return DocsBase + "#" + strings.ToLower(r.ID) + "-" + r.Name
}

func (r *Rule) String() string { return r.ID + " " + r.Name }

// Diagnostic is what a rule reports: a place and a message; the engine adds the
// rule, the effective severity and the file.
type Diagnostic struct {
	Range   source.Range
	Message string
	// Related locations; an empty File means the file under analysis.
	Related []finding.Related
	Fix     *finding.Fix
	// MaxSeverity, when set, caps the finding's severity: a rule that cannot
	// be sure (a base image it could not read) reports at most this, whatever
	// severity the rule is configured at, so that a guess never fails a build.
	MaxSeverity finding.Severity
	// MinSeverity, when set, raises the finding's severity to at least
	// this (BuildKit's `# check=error=true` makes its checks errors).
	MinSeverity finding.Severity
}

// Pass is one rule's view of one Dockerfile.
type Pass struct {
	Rule *Rule
	File *dockerfile.File
	// KnownRule reports whether an id or name designates an existing rule. It is
	// how the suppression checks validate names without importing every rule.
	KnownRule func(idOrName string) bool
	// Bases answers BaseImage; nil when base images are not looked up.
	Bases BaseLookup
	// Context is the build context the file's COPY and ADD read from; nil
	// when there is none (stdin without --context, tests, the library).
	// Rules that need it stay silent without it.
	Context *buildctx.Context
	// Limits are the size thresholds (max-layer-size, max-image-size).
	Limits Limits

	report func(Diagnostic)
	shared *Shared
}

// Limits are the settings that rules read from the configuration: the
// thresholds of the size rules (a zero field means the documented default)
// and the lists and schemas of the policy rules. They are data the engine
// passes on unchanged; it knows no rule that reads them.
type Limits struct {
	MaxLayerSize int64
	MaxImageSize int64
	// MaxWastedBytes is DV500's threshold (image --deep).
	MaxWastedBytes int64
	// TrustedRegistries are the registries images may come from
	// (config trusted-registries): host names, host:port, or "*.domain"
	// wildcards; Docker Hub is "docker.io".
	TrustedRegistries []string
	// LabelSchema lists the labels the final image must carry and the type
	// of each value (config label-schema), in the order the config gives.
	LabelSchema []LabelField
	// StrictLabels also reports labels outside LabelSchema (strict-labels).
	StrictLabels bool
	// PinDigests makes the tag rules (DV200, DV201, DV203) offer the fix
	// that pins a FROM image to the digest its tag resolves to now, when
	// the base image lookup knows it (lint --pin).
	PinDigests bool
}

// LabelField is one entry of the label schema: a label key and the type its
// value must have ("text", "url", "semver", "rfc3339", "hash", "spdx",
// "email").
type LabelField struct {
	Name string
	Type string
}

// BaseLookup returns what is known about an external image reference that a
// FROM names: the image, or an error saying why it is unknown (a
// *registry.Error: offline, not found, unauthorized...).
type BaseLookup func(ref *dockerfile.ImageRef) (*image.Image, error)

// NewPass is used by the engine (and tests) to run a rule.
func NewPass(r *Rule, f *dockerfile.File, known func(string) bool, report func(Diagnostic)) *Pass {
	return &Pass{Rule: r, File: f, KnownRule: known, report: report}
}

// An Analysis is a computation over one file that several rules read (what
// each RUN installs, BuildKit's checks, ...), as go/analysis's Requires and
// ResultOf: the first rule that asks runs it, the others get the same
// result. Run must depend only on what the Pass gives every rule (File,
// Bases, Context, Limits), never on the asking rule.
type Analysis[T any] struct {
	// Name says what is computed, for panics and profiles.
	Name string
	Run  func(*Pass) T
}

// Shared holds the results of the analyses of one file. The engine gives
// every pass on a file the same Shared; a Pass without one (a test) gets its
// own.
type Shared struct {
	// results pairs each analysis run on the file with its result. A file
	// needs a handful, so a search costs less than a map's table.
	results []sharedResult
}

type sharedResult struct {
	analysis any // an *Analysis[T]
	value    any // its T
}

// NewShared returns an empty result store for one file, with room for the
// few analyses a file needs.
func NewShared() *Shared { return &Shared{results: make([]sharedResult, 0, 4)} }

// Share makes p use s for analysis results.
func (p *Pass) Share(s *Shared) { p.shared = s }

// ResultOf returns a's result for p's file, running it on first use.
func ResultOf[T any](p *Pass, a *Analysis[T]) T {
	if p.shared == nil {
		p.shared = NewShared()
	}
	for _, r := range p.shared.results {
		if r.analysis == any(a) {
			return r.value.(T)
		}
	}
	v := a.Run(p)
	p.shared.results = append(p.shared.results, sharedResult{a, v})
	return v
}

// BaseImage returns the external image a stage is ultimately built FROM
// (following FROM <stage> to the first stage that names an image) and that
// stage's FROM reference. It returns nils for FROM scratch, for a reference
// with unresolved variables and when base images are not looked up; err
// says why a named image is unknown.
func (p *Pass) BaseImage(s *dockerfile.Stage) (img *image.Image, ref *dockerfile.ImageRef, err error) {
	for s != nil && s.Parent != nil {
		s = s.Parent
	}
	if s == nil || s.Base == nil || s.Base.Scratch || len(s.Base.Unresolved) > 0 || s.Base.Expanded == "" {
		return nil, nil, nil
	}
	if p.Bases == nil {
		return nil, s.Base, nil
	}
	img, err = p.Bases(s.Base)
	return img, s.Base, err
}

// FinalBase is BaseImage for the final image (the --target stage): the
// image that ships is built on it. All nils for a file without stages.
func (p *Pass) FinalBase() (*image.Image, *dockerfile.ImageRef, error) {
	chain := p.File.FinalChain()
	if len(chain) == 0 {
		return nil, nil, nil
	}
	return p.BaseImage(chain[0])
}

// ImagePass is one rule's view of one built image (dockvet image).
type ImagePass struct {
	Rule  *Rule
	Image *image.Image
	// History is the image's history read as a Dockerfile: line i holds
	// history entry i (1-based) as an instruction (`RUN ...`, `COPY ...`,
	// `VOLUME ...`), or a comment when the entry is not one. Rules that judge
	// RUN commands run their Dockerfile check on it through AsPass.
	History *dockerfile.File
	// Limits are the size thresholds (max-layer-size, max-image-size).
	Limits Limits

	report func(Diagnostic)
}

// NewImagePass is used by the engine (and tests) to run a rule on an image.
func NewImagePass(r *Rule, img *image.Image, history *dockerfile.File, report func(Diagnostic)) *ImagePass {
	return &ImagePass{Rule: r, Image: img, History: history, report: report}
}

// Report records a diagnostic; its line is a 1-based history entry, or 0 for
// the config as a whole.
func (p *ImagePass) Report(d Diagnostic) { p.report(d) }

// Reportf records a diagnostic with a formatted message.
func (p *ImagePass) Reportf(r source.Range, format string, args ...any) {
	p.report(Diagnostic{Range: r, Message: fmt.Sprintf(format, args...)})
}

// AsPass returns a Dockerfile pass over the image history, reporting through
// this image pass; nil when the image has no history.
func (p *ImagePass) AsPass() *Pass {
	if p.History == nil {
		return nil
	}
	return &Pass{Rule: p.Rule, File: p.History, KnownRule: func(string) bool { return true }, Limits: p.Limits, report: p.report}
}

// ConfigRange is the position of a finding about the config as a whole (line 0).
var ConfigRange = source.Range{}

// Report records a diagnostic.
func (p *Pass) Report(d Diagnostic) { p.report(d) }

// Reportf records a diagnostic with a formatted message.
func (p *Pass) Reportf(r source.Range, format string, args ...any) {
	p.report(Diagnostic{Range: r, Message: fmt.Sprintf(format, args...)})
}

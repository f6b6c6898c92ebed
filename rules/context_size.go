package rules

import (
	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
)

// ContextSize is what one COPY or ADD adds from its build context, measured
// as DV410 and DV411 measure it (sizes only, .dockerignore honoured). The
// CLI draws it in `dockvet lint --layers`.
type ContextSize struct {
	// Bytes and Files are what the measured sources add.
	Bytes int64
	Files int
	// Measured is set when at least one source was measured.
	Measured bool
	// AtLeast is set when Bytes is a lower bound: part of the context
	// could not be read.
	AtLeast bool
	// Unknown names the sources whose size is not (fully) known, with the
	// reason: "https://x/y.bin (remote, size unknown: never downloaded)",
	// "app.tar.gz (archive, unpacked size unknown)".
	Unknown []string
}

// MeasureContext measures the build-context sources of a COPY or ADD. It
// returns nil when the instruction reads nothing from the context (not a
// COPY or ADD, or one with --from) or there is no context.
func MeasureContext(ctx *buildctx.Context, in *dockerfile.Instruction) *ContextSize {
	c := measureCopy(ctx, in)
	if c == nil {
		return nil
	}
	s := &ContextSize{Bytes: c.total, Files: c.files, Measured: c.measured, AtLeast: c.lower}
	for _, ms := range c.sources {
		if ms.unknown != "" {
			s.Unknown = append(s.Unknown, ms.value+" ("+ms.unknown+")")
		}
	}
	return s
}

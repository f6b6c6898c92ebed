package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// targetPlatform is the platform every oracle run builds for, whatever the
// machine: verdicts must not depend on where the oracle runs (BuildKit
// would default to the machine's own platform).
var targetPlatform = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// Warning is one BuildKit check warning.
type Warning struct {
	Rule    string
	Line    int // first line of the warning's first range
	Message string
}

// Verdict is BuildKit's lint result for one Dockerfile.
type Verdict struct {
	Warnings []Warning // sorted by line, rule, message
	// Error is the hard error that stopped BuildKit's analysis ("" if
	// none): warnings past it are missing. ErrorLine is 0 when it has no
	// location.
	Error     string
	ErrorLine int
	// Panic is set when BuildKit panicked on the file.
	Panic string
}

// Stopped reports whether BuildKit's answer lacks what follows ErrorLine:
// a hard error or a panic stopped the analysis. `# check=error=true` turns
// the findings into an error only once the whole file was checked.
func (v Verdict) Stopped() bool {
	return v.Panic != "" || v.Error != "" && !strings.HasPrefix(v.Error, "lint violation found for rules:")
}

// offlineResolver answers every image lookup with the fake base: no
// network ever.
type offlineResolver struct{ base BaseConfig }

func (r offlineResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	p := targetPlatform
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = *opt.ImageOpt.Platform
	}
	if r.base.OS != "" {
		p.OS = r.base.OS
	}
	if r.base.Architecture != "" {
		p.Architecture, p.Variant = r.base.Architecture, r.base.Variant
	}
	// The docker image config (what BuildKit's dockerspec reads): OCI's
	// ImageConfig has no Shell or OnBuild.
	cfg := map[string]any{}
	if r.base.Env != nil {
		cfg["Env"] = r.base.Env
	}
	if r.base.Shell != nil {
		cfg["Shell"] = r.base.Shell
	}
	if r.base.OnBuild != nil {
		cfg["OnBuild"] = r.base.OnBuild
	}
	img := map[string]any{
		"os": p.OS, "architecture": p.Architecture, "config": cfg,
		// BuildKit treats an image without layers as scratch.
		"rootfs": map[string]any{"type": "layers", "diff_ids": []digest.Digest{digest.FromString("bkoracle fake layer")}},
	}
	if p.Variant != "" {
		img["variant"] = p.Variant
	}
	dt, err := json.Marshal(img)
	return ref, digest.FromBytes(dt), dt, err
}

// Lint runs BuildKit's own linter (what `docker build --check` runs) on one
// Dockerfile, offline, against the fake base. A panic inside BuildKit
// becomes the verdict's Panic.
func Lint(ctx context.Context, name string, dt []byte, base BaseConfig) (v Verdict) {
	defer func() {
		if p := recover(); p != nil {
			v = Verdict{Panic: fmt.Sprintf("%v\n%s", p, debug.Stack())}
		}
	}()
	sm := llb.NewSourceMap(nil, name, "Dockerfile", dt)
	// DockerfileLint dereferences the definition when it records the source.
	sm.Definition = &llb.Definition{}
	// Without caps, `RUN --mount=type=bind,rw` dereferences a nil cap set.
	caps := pb.Caps.CapSet(pb.Caps.All())
	platform := targetPlatform
	res, err := dockerfile2llb.DockerfileLint(ctx, dt, dockerfile2llb.ConvertOpt{
		SourceMap:      sm,
		MetaResolver:   offlineResolver{base: base},
		LLBCaps:        &caps,
		TargetPlatform: &platform,
	})
	if err != nil {
		return Verdict{Error: err.Error()}
	}
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		v.Warnings = append(v.Warnings, Warning{Rule: w.RuleName, Line: line, Message: w.Detail})
	}
	// BuildKit emits some warnings in map order.
	slices.SortFunc(v.Warnings, func(a, b Warning) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
	if res.Error != nil {
		v.Error = res.Error.Message
		if loc := &res.Error.Location; len(loc.Ranges) > 0 {
			v.ErrorLine = int(loc.Ranges[0].Start.Line)
		}
	}
	return v
}

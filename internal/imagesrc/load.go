package imagesrc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/registry"
)

// Limits on what is read from disk, as for registries: a manifest, index or
// manifest.json larger than this is not an image's, and a huge file given
// by mistake must not exhaust memory.
const (
	maxManifestSize = registry.MaxManifestSize
	maxConfigSize   = registry.MaxConfigSize
)

// Resolver resolves registry references; *registry.Resolver is one.
type Resolver interface {
	Resolve(ctx context.Context, reqs []registry.Request) []registry.Result
}

// Result is the answer for one Source: an image, or an error that says why
// it could not be read (never both).
type Result struct {
	Image *image.Image
	Err   error
}

// Load reads every source's manifest and config, never a layer. Local
// sources are read from disk; registry sources are resolved in one call to
// resolver (concurrently, by the resolver), which may be nil when there are
// none. platform ("os/arch[/variant]") selects the image of a multi-platform
// index; "" means linux/amd64, or the only image when an OCI layout's index
// has just one. Results are in the order of sources; Image.Ref is the
// source's Ref.
func Load(ctx context.Context, sources []Source, platform string, resolver Resolver) []Result {
	out := make([]Result, len(sources))
	var reqs []registry.Request
	var at []int
	for i, s := range sources {
		if s.Kind == Registry {
			reqs = append(reqs, registry.Request{Ref: strings.TrimPrefix(s.Ref, prefixDocker), Platform: platform})
			at = append(at, i)
		}
	}
	var wg sync.WaitGroup
	if len(reqs) > 0 {
		wg.Go(func() {
			if resolver == nil {
				for _, i := range at {
					out[i].Err = errors.New("no registry resolver")
				}
				return
			}
			answers := resolver.Resolve(ctx, reqs)
			for k, i := range at {
				if k >= len(answers) {
					out[i].Err = errors.New("the registry lookup returned no answer")
					continue
				}
				a := answers[k]
				switch {
				case a.Err != nil:
					out[i].Err = registryError(a.Err)
				case a.Image == nil:
					out[i].Err = errors.New("the registry lookup returned no image")
				default:
					img := *a.Image // the resolver may share its answer
					img.Ref = sources[i].Ref
					out[i].Image = &img
				}
			}
		})
	}
	for i, s := range sources {
		if ctx.Err() != nil {
			out[i] = Result{Err: ctx.Err()}
			continue
		}
		var img *image.Image
		var err error
		switch s.Kind {
		case OCILayout:
			img, err = loadOCILayout(s, platform)
		case DockerArchive:
			img, err = loadDockerArchive(s)
		default:
			continue
		}
		out[i] = Result{Image: img, Err: err}
	}
	wg.Wait()
	return out
}

// registryError words a resolver failure without repeating the reference,
// which the output prints next to it.
func registryError(err error) error {
	var re *registry.Error
	if !errors.As(err, &re) {
		return fmt.Errorf("could not fetch the image: %w", err)
	}
	msg := string(re.Reason)
	if re.Reason == registry.ReasonOffline && re.Detail == "" {
		msg += " (--offline, offline: true in the config, or DOCKVET_OFFLINE is set): registry images cannot be linted"
	}
	if re.Detail != "" {
		msg += " (" + re.Detail + ")"
	}
	return &fetchError{msg: "could not fetch the image: " + msg, err: err}
}

type fetchError struct {
	msg string
	err error
}

func (e *fetchError) Error() string { return e.msg }
func (e *fetchError) Unwrap() error { return e.err }

// wantPlatform parses a --platform value; explicit is false for "" (then
// linux/amd64 is preferred but not required).
func wantPlatform(platform string) (want v1.Platform, explicit bool, err error) {
	if platform == "" {
		return v1.Platform{OS: "linux", Architecture: "amd64"}, false, nil
	}
	p, err := v1.ParsePlatform(platform)
	if err != nil {
		return v1.Platform{}, false, fmt.Errorf("invalid platform %q: %w", platform, err)
	}
	return *p, true, nil
}

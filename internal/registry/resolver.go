package registry

import (
	"context"

	"github.com/dockvet/dockvet/internal/image"
)

// Result is the answer for one Request: an image or an *Error.
type Result struct {
	Image *image.Image
	Err   error
}

// Resolver resolves image references; see the package comment.
type Resolver struct {
	opts options
}

// New returns a Resolver for one run.
func New(opts ...Option) *Resolver {
	o := options{platform: DefaultPlatform, timeout: DefaultTimeout, tagTTL: DefaultTagTTL}
	for _, opt := range opts {
		opt(&o)
	}
	return &Resolver{opts: o}
}

// Resolve resolves every request, concurrently, and returns one Result per
// request in the same order. Equal requests are resolved once.
//
// TODO(issue 3): the implementation; until then everything is offline.
func (r *Resolver) Resolve(ctx context.Context, reqs []Request) []Result {
	out := make([]Result, len(reqs))
	for i, q := range reqs {
		out[i] = Result{Err: &Error{Ref: q.Ref, Reason: ReasonOffline}}
	}
	return out
}

package registry

import (
	"context"
	"errors"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// layerBlobKey marks a request context whose blob responses are layers:
// the guard does not cap them at MaxConfigSize (the caller checks them
// against the manifest's size and digest as it reads).
type layerBlobKey struct{}

func withLayerBlobs(ctx context.Context) context.Context {
	return context.WithValue(ctx, layerBlobKey{}, true)
}

func isLayerBlobRequest(ctx context.Context) bool {
	v, _ := ctx.Value(layerBlobKey{}).(bool)
	return v
}

// Layer returns the blob digest ("sha256:...") of the repository that ref
// names, for `dockvet image --deep`. It uses the Resolver's one session (the
// same credentials, transport guard and retries as Resolve: plain HTTP only
// to loopback and insecure registries, no credentials across redirects);
// nothing is fetched until the layer's Compressed or Uncompressed is read,
// and go-containerregistry checks the blob against its digest at its end.
//
// Unlike Resolve, Layer sets no deadline of its own: a layer may take long
// to download, and the caller bounds it through ctx. layers.Analyze (for
// --deep) does: it refuses a layer whose manifest declares no size or more
// than layers.MaxLayerSize and a blob longer than declared, abandons a
// stream that stalls, and cancels ctx when the image's layers are not read
// by a deadline scaled to their declared size, so that a registry that
// trickles bytes cannot hold a run forever.
//
// Failures are *Error, with ReasonOffline when the Resolver is offline; a
// failed read of the blob returns an *Error too, except for context errors,
// which are returned as they are.
func (r *Resolver) Layer(ctx context.Context, ref, digest string) (v1.Layer, error) {
	nref, _, err := r.parse(Request{Ref: ref})
	if err != nil {
		return nil, err
	}
	if _, err := v1.NewHash(digest); err != nil {
		return nil, &Error{Ref: ref, Reason: ReasonInvalid, Detail: scrub("invalid layer digest " + digest), Err: err}
	}
	if r.opts.offline {
		return nil, &Error{Ref: ref, Reason: ReasonOffline, Err: errOffline}
	}
	p, err := r.getPuller()
	if err != nil {
		return nil, r.layerError(ctx, ref, err)
	}
	ctx = withOrigin(withLayerBlobs(ctx), nref.Context().RegistryStr())
	l, err := p.Layer(ctx, nref.Context().Digest(digest))
	if err != nil {
		return nil, r.layerError(ctx, ref, err)
	}
	return &remoteLayer{Layer: l, r: r, ctx: ctx, ref: ref}, nil
}

// layerError classifies a failure, leaving context errors alone (the
// caller knows why its context ended better than "timeout" would say).
func (r *Resolver) layerError(ctx context.Context, ref string, err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return r.classify(ctx, ref, err)
}

// remoteLayer classifies the errors of a registry layer.
type remoteLayer struct {
	v1.Layer
	r   *Resolver
	ctx context.Context
	ref string
}

func (l *remoteLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.Layer.Compressed()
	if err != nil {
		return nil, l.r.layerError(l.ctx, l.ref, err)
	}
	return &layerReader{rc: rc, l: l}, nil
}

func (l *remoteLayer) Uncompressed() (io.ReadCloser, error) {
	rc, err := l.Layer.Uncompressed()
	if err != nil {
		return nil, l.r.layerError(l.ctx, l.ref, err)
	}
	return &layerReader{rc: rc, l: l}, nil
}

type layerReader struct {
	rc io.ReadCloser
	l  *remoteLayer
}

func (lr *layerReader) Read(p []byte) (int, error) {
	n, err := lr.rc.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = lr.l.r.layerError(lr.l.ctx, lr.l.ref, err)
	}
	return n, err
}

func (lr *layerReader) Close() error { return lr.rc.Close() }

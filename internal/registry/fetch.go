package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc/imageconv"
)

// Retries: 3 attempts, 100ms then 300ms apart, on 408 and 5xx and dropped
// connections. Never 429 (see guard) nor anything after the deadline.
var (
	retryBackoff     = remote.Backoff{Duration: 100 * time.Millisecond, Factor: 3, Jitter: 0.1, Steps: 3}
	retryStatusCodes = []int{
		http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout,
	}
)

func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var (
		tl *tooLargeError
		rl *rateLimitedError
		ie *insecureError
		re *redirectError
		te *transport.Error
	)
	if errors.As(err, &tl) || errors.As(err, &rl) || errors.As(err, &ie) || errors.As(err, &re) {
		return false
	}
	if errors.As(err, &te) {
		return slices.Contains(retryStatusCodes, te.StatusCode)
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// lookup resolves one (reference, platform): from the cache when it can
// (a pinned digest, or a tag within its TTL), else from the registry. A tag
// whose cache entry is stale is checked with one HEAD: when its digest has
// not moved, the cached image answers.
func (r *Resolver) lookup(ctx context.Context, ref name.Reference, plat v1.Platform) (*image.Image, error) {
	repo := ref.Context()
	ctx = withOrigin(ctx, repo.RegistryStr())
	var tagName, top string
	var stale *tagEntry
	if d, ok := ref.(name.Digest); ok {
		top = d.DigestStr()
	} else {
		tagName = ref.Name()
		if e, ok := r.cache.tag(tagName, repo.Name()); ok {
			if r.cache.fresh(e, r.now()) {
				top = e.Digest
			} else {
				stale = &e
			}
		}
	}
	if top != "" {
		img, err := r.fromDigest(ctx, nil, repo, top, nil, "", plat)
		if !errors.Is(err, errMiss) {
			r.cacheHits.Add(1)
			return withRefDigest(img, top), err
		}
	}
	if r.opts.offline {
		return nil, errOffline
	}
	release, err := r.acquireHost(ctx, repo.RegistryStr())
	if err != nil {
		return nil, err
	}
	defer release()
	p, err := r.getPuller()
	if err != nil {
		return nil, err
	}
	r.resolutions.Add(1)

	if stale != nil {
		desc, err := p.Head(ctx, ref)
		if err == nil {
			dg := desc.Digest.String()
			img, err := r.fromDigest(ctx, nil, repo, dg, nil, "", plat)
			if errors.Is(err, errMiss) {
				img, err = r.fromDigest(ctx, p, repo, dg, nil, "", plat)
			}
			r.tagDone(tagName, repo.Name(), dg, err)
			return withRefDigest(img, dg), err
		}
		// Some registries answer HEAD badly; GET says more.
		if reason, _ := reasonOf(ctx, r.opts.timeout, err); reason != ReasonServer && reason != ReasonInvalid {
			return nil, err
		}
	}

	desc, err := p.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	dg := desc.Digest.String()
	img, err := r.fromDigest(ctx, p, repo, dg, desc.Manifest, desc.MediaType, plat)
	r.tagDone(tagName, repo.Name(), dg, err)
	return withRefDigest(img, dg), err
}

// withRefDigest records on a copy of img the digest its reference resolved
// to (an index or the image's manifest).
func withRefDigest(img *image.Image, dg string) *image.Image {
	if img == nil {
		return nil
	}
	c := *img
	c.RefDigest = dg
	return &c
}

// tagDone records tag → digest when the answer is definitive: an image, or
// an index without the platform.
func (r *Resolver) tagDone(tagName, repo, digest string, err error) {
	var pe *platformError
	if tagName != "" && (err == nil || errors.As(err, &pe)) {
		r.cache.putTag(tagName, repo, digest, r.now())
	}
}

// fromDigest resolves the manifest dg of repo (an index or an image) for
// plat. raw and mt are its bytes and Content-Type when already fetched.
// Blobs come from the cache, else from the registry through p; with p nil,
// a blob missing from the cache gives errMiss.
func (r *Resolver) fromDigest(ctx context.Context, p *remote.Puller, repo name.Repository, dg string, raw []byte, mt types.MediaType, plat v1.Platform) (*image.Image, error) {
	if raw == nil {
		b, err := r.manifestBlob(ctx, p, repo, dg, -1)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	if int64(len(raw)) > MaxManifestSize {
		return nil, &tooLargeError{what: "manifest", size: int64(len(raw)), limit: MaxManifestSize}
	}
	isIndex, err := sniff(raw, mt)
	if err != nil {
		return nil, err
	}
	if !isIndex {
		return r.fromManifest(ctx, p, repo, dg, raw, nil)
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, invalidf(err, "malformed index")
	}
	r.cache.putBlob(dg, raw)
	child, err := pickChild(idx, plat)
	if err != nil {
		return nil, err
	}
	cdg := child.Digest.String()
	craw, err := r.manifestBlob(ctx, p, repo, cdg, child.Size)
	if err != nil {
		return nil, err
	}
	nested, err := sniff(craw, child.MediaType)
	if err != nil {
		return nil, err
	}
	if nested {
		return nil, invalidf(nil, "index %s points to another index for %s", short(dg), plat.String())
	}
	return r.fromManifest(ctx, p, repo, cdg, craw, child.Platform)
}

// fromManifest builds the image of the platform manifest raw (digest dg).
func (r *Resolver) fromManifest(ctx context.Context, p *remote.Puller, repo name.Repository, dg string, raw []byte, plat *v1.Platform) (*image.Image, error) {
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, invalidf(err, "malformed manifest")
	}
	if m.Config.Digest.Hex == "" {
		return nil, invalidf(nil, "malformed manifest: no config")
	}
	switch m.Config.MediaType {
	case "", types.DockerConfigJSON, types.OCIConfigJSON:
	default:
		return nil, invalidf(nil, "not a container image (config type %s)", m.Config.MediaType)
	}
	r.cache.putBlob(dg, raw)
	craw, err := r.configBlob(ctx, p, repo, m.Config)
	if err != nil {
		return nil, err
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(craw))
	if err != nil {
		return nil, invalidf(err, "malformed config")
	}
	r.cache.putBlob(m.Config.Digest.String(), craw)
	return build(dg, m, cf, plat), nil
}

// manifestBlob returns manifest dg of repo (size -1 when unknown).
func (r *Resolver) manifestBlob(ctx context.Context, p *remote.Puller, repo name.Repository, dg string, size int64) ([]byte, error) {
	if b, ok := r.cache.blob(dg); ok {
		return b, nil
	}
	if p == nil {
		return nil, errMiss
	}
	if size > MaxManifestSize {
		return nil, &tooLargeError{what: "manifest", size: size, limit: MaxManifestSize}
	}
	desc, err := p.Get(ctx, repo.Digest(dg))
	if err != nil {
		return nil, err
	}
	return desc.Manifest, nil
}

// configBlob returns the config blob of desc: inline, cached, or fetched.
// The manifest's size is checked before the request, and the body read
// is cut at that size: a registry cannot make us read more than it
// declared, nor more than MaxConfigSize.
func (r *Resolver) configBlob(ctx context.Context, p *remote.Puller, repo name.Repository, desc v1.Descriptor) ([]byte, error) {
	dg := desc.Digest.String()
	if desc.Data != nil {
		// Inline data is bounded like a fetched config: a manifest under
		// MaxManifestSize could still carry more than MaxConfigSize, and
		// must not be hashed or parsed when it does.
		if n := int64(len(desc.Data)); n > MaxConfigSize {
			return nil, &tooLargeError{what: "config", size: n, limit: MaxConfigSize}
		}
		if desc.Size > 0 && int64(len(desc.Data)) != desc.Size {
			return nil, invalidf(nil, "inline config is %d bytes, its manifest declares %d", len(desc.Data), desc.Size)
		}
		if err := checkDigest(desc.Data, desc.Digest); err != nil {
			return nil, err
		}
		return desc.Data, nil
	}
	if b, ok := r.cache.blob(dg); ok {
		return b, nil
	}
	if p == nil {
		return nil, errMiss
	}
	if desc.Size > MaxConfigSize {
		return nil, &tooLargeError{what: "config", size: desc.Size, limit: MaxConfigSize}
	}
	l, err := p.Layer(ctx, repo.Digest(dg))
	if err != nil {
		return nil, err
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	limit := int64(MaxConfigSize)
	if desc.Size > 0 {
		limit = desc.Size
	}
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if desc.Size > 0 && int64(len(b)) != desc.Size {
		if int64(len(b)) > desc.Size {
			return nil, invalidf(nil, "config is larger than the %d bytes its manifest declares", desc.Size)
		}
		return nil, invalidf(nil, "config is %d bytes, its manifest declares %d", len(b), desc.Size)
	}
	if err := checkDigest(b, desc.Digest); err != nil {
		return nil, err
	}
	return b, nil
}

// checkDigest verifies b against its digest. sha256 and sha512 (the
// algorithms of the OCI image spec) are verified; any other algorithm is
// refused, since content that cannot be verified must not be trusted.
func checkDigest(b []byte, h v1.Hash) error {
	var sum []byte
	switch h.Algorithm {
	case "sha256":
		s := sha256.Sum256(b)
		sum = s[:]
	case "sha512":
		s := sha512.Sum512(b)
		sum = s[:]
	default:
		alg := h.Algorithm
		if len(alg) > 16 {
			alg = alg[:16] + "..."
		}
		return invalidf(nil, "unsupported digest algorithm %q (only sha256 and sha512 can be verified)", alg)
	}
	if hex.EncodeToString(sum) != h.Hex {
		return invalidf(nil, "content does not match digest %s", short(h.String()))
	}
	return nil
}

// sniff says whether raw is an index (see imageconv.IsIndex); mt is the
// Content-Type or descriptor media type.
func sniff(raw []byte, mt types.MediaType) (bool, error) {
	isIndex, err := imageconv.IsIndex(raw, mt)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return isIndex, nil
	case errors.As(err, &se), errors.As(err, &te):
		return false, invalidf(err, "malformed manifest")
	}
	return false, invalidf(err, "%v", err)
}

// pickChild chooses the index entry for want: the first image whose OS and
// architecture match, and the variant when want has one (arm64 without a
// variant is v8, arm without one is v7). An entry without a platform is
// linux/amd64. Attestation manifests are skipped.
func pickChild(idx *v1.IndexManifest, want v1.Platform) (v1.Descriptor, error) {
	var have []string
	for _, d := range idx.Manifests {
		if imageconv.IsAttestation(d) || d.MediaType.IsIndex() {
			continue
		}
		p := v1.Platform{OS: "linux", Architecture: "amd64"}
		if d.Platform != nil {
			p = *d.Platform
		}
		if imageconv.PlatformMatches(p, want) {
			return d, nil
		}
		if s := p.String(); !slices.Contains(have, s) {
			have = append(have, s)
		}
	}
	return v1.Descriptor{}, &platformError{want: want.String(), have: have}
}

// build converts the fetched manifest and config into the image model; the
// index entry's platform fills OS and architecture when the config lacks them.
func build(dg string, m *v1.Manifest, cf *v1.ConfigFile, plat *v1.Platform) *image.Image {
	img := imageconv.FromConfig("", dg, cf, m)
	if img.OS == "" && img.Architecture == "" && plat != nil {
		img.OS, img.Architecture, img.Variant = plat.OS, plat.Architecture, plat.Variant
	}
	return img
}

// short abbreviates a digest for messages.
func short(dg string) string {
	if len(dg) > 19 {
		return dg[:19]
	}
	return dg
}

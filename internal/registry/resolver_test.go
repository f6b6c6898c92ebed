package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

const (
	testUser = "dockvet"
	testPass = "s3cr3t-pa55word"
)

// newServer is a token-auth test registry with the test credentials.
func newServer(t testing.TB, opts ...registrytest.Option) *registrytest.Server {
	t.Helper()
	return registrytest.New(t, append([]registrytest.Option{registrytest.WithAuth(testUser, testPass)}, opts...)...)
}

// newResolver is a resolver for srv with the test credentials and no cache.
func newResolver(srv *registrytest.Server, opts ...Option) *Resolver {
	return New(append([]Option{WithKeychain(srv.Keychain()), WithTimeout(5 * time.Second)}, opts...)...)
}

func resolveOne(t testing.TB, r *Resolver, ref, platform string) (*image.Image, error) {
	t.Helper()
	res := r.Resolve(context.Background(), []Request{{Ref: ref, Platform: platform}})
	if len(res) != 1 {
		t.Fatalf("got %d results, want 1", len(res))
	}
	return res[0].Image, res[0].Err
}

func mustResolve(t testing.TB, r *Resolver, ref, platform string) *image.Image {
	t.Helper()
	img, err := resolveOne(t, r, ref, platform)
	if err != nil {
		t.Fatalf("Resolve(%s): %v", ref, err)
	}
	return img
}

var baseSpec = registrytest.Spec{
	User:       "1000:1000",
	Volumes:    []string{"/var/lib/app", "/data"},
	Cmd:        []string{"/bin/sh", "-c", "serve"},
	Entrypoint: []string{"/entry"},
	Shell:      []string{"/bin/bash", "-c"},
	Env:        []string{"PATH=/usr/bin", "A=1"},
	WorkingDir: "/app",
	History: []registrytest.Step{
		{CreatedBy: "ADD rootfs.tar /"},
		{CreatedBy: "ENV A=1", Empty: true},
		{CreatedBy: "COPY . /app", Comment: "buildkit.dockerfile.v0"},
		{CreatedBy: "USER 1000:1000", Empty: true},
	},
}

func TestResolveHappyPaths(t *testing.T) {
	srv := newServer(t)
	single := registrytest.Image(t, baseSpec)
	singleDigest := srv.Push(t, "team/app:1", single)

	amd := registrytest.Image(t, registrytest.Spec{User: "amd", Platform: "linux/amd64"})
	arm := registrytest.Image(t, registrytest.Spec{User: "arm", Platform: "linux/arm64/v8"})
	armv7 := registrytest.Image(t, registrytest.Spec{User: "armv7", Platform: "linux/arm/v7"})
	idx := registrytest.AttestedIndex(t, amd, arm, armv7)
	idxDigest := srv.PushIndex(t, "team/multi:1", idx)
	armDigest, _ := arm.Digest()
	amdDigest, _ := amd.Digest()

	tests := []struct {
		name, ref, platform string
		wantDigest          string
		wantUser            string
		wantPlatform        string
	}{
		{"single by tag", srv.Ref("team/app:1"), "", singleDigest.String(), "1000:1000", "linux/amd64"},
		{"single by digest", srv.Ref("team/app@" + singleDigest.String()), "", singleDigest.String(), "1000:1000", "linux/amd64"},
		{"index default platform", srv.Ref("team/multi:1"), "", amdDigest.String(), "amd", "linux/amd64"},
		{"index arm64", srv.Ref("team/multi:1"), "linux/arm64", armDigest.String(), "arm", "linux/arm64/v8"},
		{"index arm64/v8", srv.Ref("team/multi:1"), "linux/arm64/v8", armDigest.String(), "arm", "linux/arm64/v8"},
		{"index arm/v7", srv.Ref("team/multi:1"), "linux/arm/v7", "", "armv7", "linux/arm/v7"},
		{"index by digest", srv.Ref("team/multi@" + idxDigest.String()), "linux/arm64", armDigest.String(), "arm", "linux/arm64/v8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newResolver(srv)
			img := mustResolve(t, r, tc.ref, tc.platform)
			if img.Ref != tc.ref {
				t.Errorf("Ref = %q, want %q", img.Ref, tc.ref)
			}
			if tc.wantDigest != "" && img.Digest != tc.wantDigest {
				t.Errorf("Digest = %s, want %s", img.Digest, tc.wantDigest)
			}
			if img.User != tc.wantUser {
				t.Errorf("User = %q, want %q", img.User, tc.wantUser)
			}
			p := img.OS + "/" + img.Architecture
			if img.Variant != "" {
				p += "/" + img.Variant
			}
			if p != tc.wantPlatform {
				t.Errorf("platform = %s, want %s", p, tc.wantPlatform)
			}
		})
	}
}

func TestResolveFillsModel(t *testing.T) {
	srv := newServer(t)
	img := registrytest.Image(t, baseSpec)
	dg := srv.Push(t, "team/app:1", img)
	got := mustResolve(t, newResolver(srv), srv.Ref("team/app:1"), "")

	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	want := &image.Image{
		Ref:          srv.Ref("team/app:1"),
		Digest:       dg.String(),
		RefDigest:    dg.String(), // a single-platform image: its own manifest
		OS:           "linux",
		Architecture: "amd64",
		User:         "1000:1000",
		Volumes:      []string{"/data", "/var/lib/app"},
		Cmd:          []string{"/bin/sh", "-c", "serve"},
		Entrypoint:   []string{"/entry"},
		Shell:        []string{"/bin/bash", "-c"},
		Env:          []string{"PATH=/usr/bin", "A=1"},
		WorkingDir:   "/app",
		History: []image.History{
			{CreatedBy: "ADD rootfs.tar /"},
			{CreatedBy: "ENV A=1", EmptyLayer: true},
			{CreatedBy: "COPY . /app", Comment: "buildkit.dockerfile.v0"},
			{CreatedBy: "USER 1000:1000", EmptyLayer: true},
		},
	}
	for _, l := range m.Layers {
		want.Layers = append(want.Layers, image.Layer{Digest: l.Digest.String(), MediaType: string(l.MediaType), Size: l.Size})
	}
	if len(want.Layers) != 2 {
		t.Fatalf("test image has %d layers, want 2", len(want.Layers))
	}
	if diff := diffImages(got, want); diff != "" {
		t.Error(diff)
	}
	if got.CompressedSize() <= 0 {
		t.Errorf("CompressedSize = %d", got.CompressedSize())
	}
}

// diffImages compares the fields of two images, "" when equal.
func diffImages(got, want *image.Image) string {
	g, w := fmt.Sprintf("%+v", *got), fmt.Sprintf("%+v", *want)
	if g != w {
		return fmt.Sprintf("image:\n got  %s\n want %s", g, w)
	}
	return ""
}

// TestRequestCountsColdWarm pins the round trips of a cold resolution
// (ping + token + manifest [+ child manifest] + config per distinct image)
// and of a warm one (none).
func TestRequestCountsColdWarm(t *testing.T) {
	srv := newServer(t)
	srv.Push(t, "a/single:1", registrytest.Image(t, registrytest.Spec{User: "a"}))
	srv.PushIndex(t, "b/multi:1", registrytest.AttestedIndex(t,
		registrytest.Image(t, registrytest.Spec{User: "b"}),
		registrytest.Image(t, registrytest.Spec{User: "b-arm", Platform: "linux/arm64"})))
	cache := t.TempDir()

	tests := []struct {
		name string
		ref  string
		want registrytest.Counts
	}{
		{"single-platform image", srv.Ref("a/single:1"), registrytest.Counts{Ping: 1, Token: 1, Manifest: 1, Blob: 1}},
		{"index", srv.Ref("b/multi:1"), registrytest.Counts{Ping: 1, Token: 1, Manifest: 2, Blob: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			mustResolve(t, newResolver(srv, WithCacheDir(cache)), tc.ref, "")
			if got := srv.Requests(); got != tc.want {
				t.Errorf("cold: requests = %+v, want %+v\n%s", got, tc.want, strings.Join(srv.Log(), "\n"))
			}
			srv.Reset()
			r := newResolver(srv, WithCacheDir(cache))
			mustResolve(t, r, tc.ref, "")
			if got := srv.Requests(); got.Total() != 0 {
				t.Errorf("warm: requests = %+v, want none\n%s", got, strings.Join(srv.Log(), "\n"))
			}
			if st := r.Stats(); st.Requests != 0 || st.CacheHits != 1 || st.Resolutions != 0 {
				t.Errorf("warm: stats = %+v", st)
			}
		})
	}
}

// TestSessionPerRepository: one authenticated session per repository for
// the whole run, however many tags and Resolve calls.
func TestSessionReuse(t *testing.T) {
	srv := newServer(t)
	for i := range 3 {
		srv.Push(t, fmt.Sprintf("team/app:%d", i), registrytest.Image(t, registrytest.Spec{User: fmt.Sprint(i)}))
	}
	r := newResolver(srv)
	res := r.Resolve(context.Background(), []Request{{Ref: srv.Ref("team/app:0")}, {Ref: srv.Ref("team/app:1")}})
	for _, x := range res {
		if x.Err != nil {
			t.Fatal(x.Err)
		}
	}
	mustResolve(t, r, srv.Ref("team/app:2"), "")
	want := registrytest.Counts{Ping: 1, Token: 1, Manifest: 3, Blob: 3}
	if got := srv.Requests(); got != want {
		t.Errorf("requests = %+v, want %+v\n%s", got, want, strings.Join(srv.Log(), "\n"))
	}
}

// TestConcurrentDedupe: 100 requests over 5 references (spelled in several
// ways) resolve exactly 5 images.
func TestConcurrentDedupe(t *testing.T) {
	srv := newServer(t)
	var refs []string
	for i := range 5 {
		repo := fmt.Sprintf("team/base%d", i)
		srv.Push(t, repo+":latest", registrytest.Image(t, registrytest.Spec{User: fmt.Sprint(i)}))
		refs = append(refs, srv.Ref(repo+":latest"), srv.Ref(repo))
	}
	var reqs []Request
	for i := range 100 {
		reqs = append(reqs, Request{Ref: refs[i%len(refs)]})
	}
	r := newResolver(srv)
	res := r.Resolve(context.Background(), reqs)
	for i, x := range res {
		if x.Err != nil {
			t.Fatalf("request %d: %v", i, x.Err)
		}
		if x.Image.Ref != reqs[i].Ref {
			t.Errorf("request %d: Ref = %s, want %s", i, x.Image.Ref, reqs[i].Ref)
		}
		want := strings.TrimSuffix(strings.TrimPrefix(reqs[i].Ref, srv.Host()+"/team/base"), ":latest")
		if x.Image.User != want {
			t.Errorf("request %d: User = %s, want %s", i, x.Image.User, want)
		}
	}
	if st := r.Stats(); st.Resolutions != 5 {
		t.Errorf("resolutions = %d, want 5", st.Resolutions)
	}
	if got := srv.Requests(); got.Manifest != 5 || got.Blob != 5 {
		t.Errorf("requests = %+v, want 5 manifests and 5 blobs", got)
	}
	// A second call in the same run is answered from memory.
	srv.Reset()
	res = r.Resolve(context.Background(), reqs[:10])
	for _, x := range res {
		if x.Err != nil {
			t.Fatal(x.Err)
		}
	}
	if got := srv.Requests(); got.Total() != 0 {
		t.Errorf("second call: requests = %+v, want none", got)
	}
}

// TestConcurrentResolveCalls: Resolve may be called from several goroutines.
func TestConcurrentResolveCalls(t *testing.T) {
	srv := newServer(t)
	srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{User: "x"}))
	r := newResolver(srv)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			if _, err := resolveOne(t, r, srv.Ref("team/app:1"), ""); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCacheTagTTL(t *testing.T) {
	srv := newServer(t)
	srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{User: "old"}))
	cache := t.TempDir()
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	run := func() (*image.Image, registrytest.Counts) {
		t.Helper()
		srv.Reset()
		r := newResolver(srv, WithCacheDir(cache), WithTagTTL(time.Hour))
		r.now = func() time.Time { return now }
		img := mustResolve(t, r, srv.Ref("team/app:1"), "")
		return img, srv.Requests()
	}

	if _, got := run(); got.Total() != 4 {
		t.Fatalf("cold: %+v", got)
	}
	now = now.Add(59 * time.Minute)
	if _, got := run(); got.Total() != 0 {
		t.Errorf("within TTL: %+v, want none", got)
	}
	// Expired, tag unchanged: one HEAD confirms the cached digest.
	now = now.Add(2 * time.Minute)
	if img, got := run(); got != (registrytest.Counts{Ping: 1, Token: 1, Manifest: 1}) || img.User != "old" {
		t.Errorf("expired, unchanged: %+v user %s; want ping, token, HEAD", got, img.User)
	}
	// Refreshed by that HEAD: fresh again.
	if _, got := run(); got.Total() != 0 {
		t.Errorf("refreshed: %+v, want none", got)
	}
	// Expired, tag moved: HEAD, then the new manifest and config.
	srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{User: "new"}))
	now = now.Add(2 * time.Hour)
	img, got := run()
	if img.User != "new" {
		t.Errorf("moved: user = %s, want new", img.User)
	}
	if want := (registrytest.Counts{Ping: 1, Token: 1, Manifest: 2, Blob: 1}); got != want {
		t.Errorf("moved: %+v, want %+v\n%s", got, want, strings.Join(srv.Log(), "\n"))
	}
}

func TestOffline(t *testing.T) {
	srv := newServer(t)
	dg := srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{User: "u"}))
	byTag, byDigest := srv.Ref("team/app:1"), srv.Ref("team/app@"+dg.String())

	t.Run("no cache", func(t *testing.T) {
		srv.Reset()
		r := newResolver(srv, WithOffline(true), WithCacheDir(t.TempDir()))
		for _, ref := range []string{byTag, byDigest} {
			_, err := resolveOne(t, r, ref, "")
			assertReason(t, err, ReasonOffline)
		}
		if got := srv.Requests(); got.Total() != 0 {
			t.Errorf("requests = %+v, want none", got)
		}
	})
	t.Run("warm cache", func(t *testing.T) {
		cache := t.TempDir()
		mustResolve(t, newResolver(srv, WithCacheDir(cache)), byTag, "")
		srv.Reset()
		r := newResolver(srv, WithOffline(true), WithCacheDir(cache))
		for _, ref := range []string{byTag, byDigest} {
			if img := mustResolve(t, r, ref, ""); img.User != "u" {
				t.Errorf("%s: user %q", ref, img.User)
			}
		}
		// A stale tag is not trusted offline.
		r = newResolver(srv, WithOffline(true), WithCacheDir(cache))
		r.now = func() time.Time { return time.Now().Add(2 * DefaultTagTTL) }
		_, err := resolveOne(t, r, byTag, "")
		assertReason(t, err, ReasonOffline)
		if img := mustResolve(t, r, byDigest, ""); img.User != "u" {
			t.Errorf("digest: user %q", img.User)
		}
		if got := srv.Requests(); got.Total() != 0 {
			t.Errorf("requests = %+v, want none", got)
		}
	})
}

func TestCacheCorruptEntryRefetched(t *testing.T) {
	srv := newServer(t)
	img := registrytest.Image(t, registrytest.Spec{User: "u"})
	dg := srv.Push(t, "team/app:1", img)
	cache := t.TempDir()
	mustResolve(t, newResolver(srv, WithCacheDir(cache)), srv.Ref("team/app:1"), "")

	// Corrupt the config and the manifest blobs.
	cfgName, _ := img.ConfigName()
	c := &diskCache{dir: cache}
	for _, d := range []v1.Hash{cfgName, dg} {
		p, _ := c.blobPath(d.String())
		if err := writeFile(p, []byte(`{"garbage":true}`)); err != nil {
			t.Fatal(err)
		}
	}
	srv.Reset()
	got := mustResolve(t, newResolver(srv, WithCacheDir(cache)), srv.Ref("team/app@"+dg.String()), "")
	if got.User != "u" {
		t.Errorf("user = %q", got.User)
	}
	if r := srv.Requests(); r.Manifest != 1 || r.Blob != 1 {
		t.Errorf("requests = %+v, want the manifest and config refetched", r)
	}
	// And repaired.
	srv.Reset()
	mustResolve(t, newResolver(srv, WithCacheDir(cache)), srv.Ref("team/app@"+dg.String()), "")
	if r := srv.Requests(); r.Total() != 0 {
		t.Errorf("after repair: requests = %+v", r)
	}
}

// assertReason checks that err is an *Error (via errors.As) with reason.
func assertReason(t testing.TB, err error, reason Reason) *Error {
	t.Helper()
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("err = %v (%T), want *Error with reason %q", err, err, reason)
	}
	if re.Reason != reason {
		t.Fatalf("reason = %q (%v), want %q", re.Reason, err, reason)
	}
	return re
}

func TestRefsAndErrorsKeepRequestOrder(t *testing.T) {
	srv := newServer(t)
	srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{}))
	reqs := []Request{
		{Ref: srv.Ref("team/app:1")},
		{Ref: "Bad:Ref"},
		{Ref: srv.Ref("team/missing:1")},
		{Ref: srv.Ref("team/app:1"), Platform: "linux/s390x"},
		{Ref: srv.Ref("team/app:1")},
	}
	res := newResolver(srv).Resolve(context.Background(), reqs)
	reasons := make([]string, len(res))
	for i, x := range res {
		if x.Err != nil {
			var re *Error
			if !errors.As(x.Err, &re) || re.Ref != reqs[i].Ref {
				t.Errorf("%d: %v", i, x.Err)
			}
			reasons[i] = string(re.Reason)
		}
	}
	want := []string{"", string(ReasonBadReference), string(ReasonNotFound), "", ""}
	if !slices.Equal(reasons, want) {
		t.Errorf("reasons = %q, want %q", reasons, want)
	}
}

func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o600)
}

func TestCancelledContext(t *testing.T) {
	srv := newServer(t)
	srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{}))
	srv.Reset()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := newResolver(srv).Resolve(ctx, []Request{{Ref: srv.Ref("team/app:1")}})
	re := assertReason(t, res[0].Err, ReasonTimeout)
	if re.Detail != "cancelled" {
		t.Errorf("detail = %q", re.Detail)
	}
	if got := srv.Requests(); got.Total() != 0 {
		t.Errorf("requests = %+v", got)
	}
}

// TestNoPlatformCached: an index without the platform is a definitive
// answer, cached like an image.
func TestNoPlatformCached(t *testing.T) {
	srv := newServer(t)
	srv.PushIndex(t, "team/multi:1", registrytest.Index(t, registrytest.Image(t, registrytest.Spec{})))
	cache := t.TempDir()
	for i, want := range []int{3, 0} { // ping, token, index; then nothing
		srv.Reset()
		_, err := resolveOne(t, newResolver(srv, WithCacheDir(cache)), srv.Ref("team/multi:1"), "linux/riscv64")
		assertReason(t, err, ReasonNoPlatform)
		if got := srv.Requests().Total(); got != want {
			t.Errorf("run %d: %d requests, want %d", i, got, want)
		}
	}
}

func TestInvalidPlatform(t *testing.T) {
	srv := newServer(t)
	_, err := resolveOne(t, newResolver(srv), srv.Ref("team/app:1"), "linux")
	assertReason(t, err, ReasonNoPlatform)
}

// TestDeadlineWithManyStuckImages: Resolve returns by its deadline however
// many images are still waiting.
func TestDeadlineWithManyStuckImages(t *testing.T) {
	srv := newServer(t, registrytest.WithLatency(time.Minute))
	resolve := func(n, first int) (time.Duration, []Result) {
		var reqs []Request
		for i := range n {
			reqs = append(reqs, Request{Ref: srv.Ref(fmt.Sprintf("team/app%d:1", first+i))})
		}
		start := time.Now()
		res := newResolver(srv, WithTimeout(500*time.Millisecond)).Resolve(context.Background(), reqs)
		return time.Since(start), res
	}
	// A ratio to one stuck image measured now, not a wall-clock budget:
	// load slows both alike, while waiting per image (8 at a time) would
	// take 25 times as long.
	one, _ := resolve(1, 1000)
	many, res := resolve(200, 0)
	if ratio := float64(many) / float64(one); ratio > 3 {
		t.Errorf("200 stuck images took %.1fx the time of one (%s vs %s), want about the same", ratio, many, one)
	}
	for _, x := range res {
		assertReason(t, x.Err, ReasonTimeout)
	}
}

// TestCacheTagBoundToRepository: a tag entry within its TTL that points at
// another repository's image is not trusted: the tag is fetched again
// (online) or unknown (offline), never answered with the other image.
func TestCacheTagBoundToRepository(t *testing.T) {
	srv := newServer(t)
	srv.Push(t, "team/a:1", registrytest.Image(t, registrytest.Spec{User: "a"}))
	bDigest := srv.Push(t, "team/b:1", registrytest.Image(t, registrytest.Spec{User: "b"}))
	cache := t.TempDir()
	for _, ref := range []string{"team/a:1", "team/b:1"} {
		mustResolve(t, newResolver(srv, WithCacheDir(cache)), srv.Ref(ref), "")
	}
	dc := &diskCache{dir: cache}
	poison := func(t *testing.T, e tagEntry) {
		t.Helper()
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dc.tagPath(srv.Ref("team/a:1")), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	aName, aRepo := srv.Ref("team/a:1"), srv.Host()+"/team/a"
	entries := []struct {
		name  string
		entry tagEntry
	}{
		{"A's tag, B's digest", tagEntry{Name: aName, Repo: aRepo, Digest: bDigest.String(), Fetched: time.Now()}},
		{"B's repository", tagEntry{Name: aName, Repo: srv.Host() + "/team/b", Digest: bDigest.String(), Fetched: time.Now()}},
		{"no repository (an older cache)", tagEntry{Name: aName, Digest: bDigest.String(), Fetched: time.Now()}},
	}
	for _, tt := range entries {
		t.Run(tt.name, func(t *testing.T) {
			poison(t, tt.entry)
			_, err := resolveOne(t, newResolver(srv, WithCacheDir(cache), WithOffline(true)), aName, "")
			assertReason(t, err, ReasonOffline)

			poison(t, tt.entry)
			srv.Reset()
			if img := mustResolve(t, newResolver(srv, WithCacheDir(cache)), aName, ""); img.User != "a" {
				t.Errorf("user = %q, want a", img.User)
			}
			if srv.Requests().Manifest == 0 {
				t.Error("the tag was answered from the poisoned entry")
			}
		})
	}
	// Entries the resolver wrote itself stay trusted: a warm run makes no request.
	srv.Reset()
	for _, ref := range []string{"team/a:1", "team/b:1"} {
		mustResolve(t, newResolver(srv, WithCacheDir(cache), WithOffline(true)), srv.Ref(ref), "")
	}
	if got := srv.Requests(); got.Total() != 0 {
		t.Errorf("warm run: %+v, want no request", got)
	}
}

// TestSharedDeadline: Resolvers of one run (one per registry setting) share
// its deadline: once it has passed, a Resolver used for the first time
// sends nothing and answers timeout.
func TestSharedDeadline(t *testing.T) {
	srv := newServer(t, registrytest.WithLatency(time.Minute))
	deadline := time.Now().Add(300 * time.Millisecond)
	first := newResolver(srv, WithDeadline(deadline), WithTimeout(time.Hour))
	_, err := resolveOne(t, first, srv.Ref("team/app:1"), "")
	assertReason(t, err, ReasonTimeout)
	if first.Stats().Requests == 0 {
		t.Fatal("the first resolver sent nothing")
	}
	second := newResolver(srv, WithDeadline(deadline), WithTimeout(time.Hour), WithPlatform("linux/arm64"))
	_, err = resolveOne(t, second, srv.Ref("team/other:1"), "")
	assertReason(t, err, ReasonTimeout)
	if n := second.Stats().Requests; n != 0 {
		t.Errorf("the second resolver sent %d requests after the run's deadline", n)
	}
}

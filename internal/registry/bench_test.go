package registry

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

// BenchmarkColdResolution reports the round trips of resolving one image
// with an empty cache and a new resolver (a new session).
func BenchmarkColdResolution(b *testing.B) {
	srv := newServer(b)
	srv.Push(b, "team/single:1", registrytest.Image(b, registrytest.Spec{User: "u"}))
	srv.PushIndex(b, "team/multi:1", registrytest.AttestedIndex(b,
		registrytest.Image(b, registrytest.Spec{Platform: "linux/amd64"}),
		registrytest.Image(b, registrytest.Spec{Platform: "linux/arm64"})))
	for _, ref := range []string{"team/single:1", "team/multi:1"} {
		b.Run(ref, func(b *testing.B) {
			srv.Reset()
			for b.Loop() {
				if _, err := resolveOne(b, newResolver(srv), srv.Ref(ref), ""); err != nil {
					b.Fatal(err)
				}
			}
			reportCounts(b, srv.Requests(), b.N)
		})
	}
}

// BenchmarkSharedBases: 100 Dockerfiles' worth of FROM lines sharing 5
// bases, cold (new resolver, no cache) and warm (disk cache filled).
func BenchmarkSharedBases(b *testing.B) {
	srv := newServer(b)
	var reqs []Request
	for i := range 5 {
		srv.Push(b, fmt.Sprintf("team/base%d:1", i), registrytest.Image(b, registrytest.Spec{User: fmt.Sprint(i)}))
	}
	for i := range 100 {
		reqs = append(reqs, Request{Ref: srv.Ref(fmt.Sprintf("team/base%d:1", i%5))})
	}
	run := func(b *testing.B, opts ...Option) {
		srv.Reset()
		for b.Loop() {
			for _, res := range newResolver(srv, opts...).Resolve(context.Background(), reqs) {
				if res.Err != nil {
					b.Fatal(res.Err)
				}
			}
		}
		reportCounts(b, srv.Requests(), b.N*5)
	}
	b.Run("cold", func(b *testing.B) { run(b) })
	b.Run("warm", func(b *testing.B) {
		cache := b.TempDir()
		newResolver(srv, WithCacheDir(cache)).Resolve(context.Background(), reqs)
		run(b, WithCacheDir(cache))
	})
}

// BenchmarkLatency: 20 requests over 10 distinct bases, every request
// answered after 100ms: the wall time of a cold run (target < 1.5s).
func BenchmarkLatency(b *testing.B) {
	srv := newServer(b, registrytest.WithLatency(100*time.Millisecond))
	var reqs []Request
	for i := range 10 {
		srv.Push(b, fmt.Sprintf("lib/base%d:1", i), registrytest.Image(b, registrytest.Spec{User: fmt.Sprint(i)}))
		reqs = append(reqs, Request{Ref: srv.Ref(fmt.Sprintf("lib/base%d:1", i))}, Request{Ref: srv.Ref(fmt.Sprintf("lib/base%d", i)) + ":1"})
	}
	srv.Reset()
	start := time.Now()
	for b.Loop() {
		for _, res := range newResolver(srv).Resolve(context.Background(), reqs) {
			if res.Err != nil {
				b.Fatal(res.Err)
			}
		}
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "wall-ms/op")
	reportCounts(b, srv.Requests(), b.N*10)
}

// reportCounts reports the server's requests per image resolved.
func reportCounts(b *testing.B, c registrytest.Counts, images int) {
	per := func(n int) float64 { return float64(n) / float64(images) }
	b.ReportMetric(per(c.Total()), "requests/image")
	b.ReportMetric(per(c.Manifest), "manifests/image")
	b.ReportMetric(per(c.Blob), "blobs/image")
	b.ReportMetric(per(c.Ping+c.Token), "auth/image")
}

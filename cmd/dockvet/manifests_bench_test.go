package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

// manifestStream writes n Deployment documents (with a Service between
// them, as helm template prints) naming 10 distinct images, and returns its
// path. Each has a DV102 finding (its init container mounts nothing over
// the image's VOLUME) unless clean is set.
func manifestStream(t testing.TB, srv *registrytest.Server, n int, clean bool) string {
	t.Helper()
	initMount := ""
	if clean {
		initMount = "\n        volumeMounts: [{name: data, mountPath: /data}]"
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `---
# Source: app/templates/deployment-%d.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%d
  labels: {app: app-%d, tier: web}
spec:
  replicas: %d
  selector:
    matchLabels: {app: app-%d}
  template:
    metadata:
      labels: {app: app-%d}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 10001}
      initContainers:
      - name: migrate
        image: %s
        command: ["/app", "migrate"]%s
      containers:
      - name: app
        image: %s
        ports: [{containerPort: 8080}]
        env: [{name: MODE, value: production}, {name: SHARD, value: "%d"}]
        resources: {requests: {cpu: 100m, memory: 128Mi}}
        volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, emptyDir: {}}]
`, i, i, i, 1+i%5, i, i, srv.Ref(fmt.Sprintf("team/app%d:1", i%10)), initMount, srv.Ref(fmt.Sprintf("team/app%d:1", i%10)), i)
		if i%2 == 0 {
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata: {name: app-%d}\nspec:\n  ports: [{port: 80}]\n", i)
		}
	}
	path := filepath.Join(t.TempDir(), "stream.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func streamRegistry(t testing.TB) *registrytest.Server {
	srv := registrytest.New(t)
	for i := range 10 {
		srv.Push(t, fmt.Sprintf("team/app%d:1", i), registrytest.Image(t, registrytest.Spec{User: "10001", Volumes: []string{"/data"}, Cmd: []string{"/app"}}))
	}
	return srv
}

// BenchmarkManifestsStream lints a 1,000-workload stream (1,500 documents)
// offline on a warm cache, the way CI runs `helm template | dockvet
// manifests -`; docs/s is the throughput (target 5,000).
func BenchmarkManifestsStream(b *testing.B) {
	srv := streamRegistry(b)
	path := manifestStream(b, srv, 1000, false)
	env := map[string]string{"DOCKVET_CACHE_DIR": b.TempDir(), "DOCKER_CONFIG": b.TempDir()}
	if code, _, errOut := runInProcess(b, env, "", "manifests", "-f", "json", "--fail-on", "none", path); code != 0 {
		b.Fatalf("warm-up: exit %d\n%s", code, errOut)
	}
	srv.Reset()
	offline := map[string]string{"DOCKVET_CACHE_DIR": env["DOCKVET_CACHE_DIR"], "DOCKER_CONFIG": env["DOCKER_CONFIG"], "DOCKVET_OFFLINE": "1"}
	b.ReportAllocs()
	for b.Loop() {
		if code, _, errOut := runInProcess(b, offline, "", "manifests", "-f", "json", "--fail-on", "none", path); code != 0 {
			b.Fatalf("exit %d\n%s", code, errOut)
		}
	}
	b.ReportMetric(1500*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	if got := srv.Requests().Total(); got != 0 {
		b.Fatalf("warm offline runs sent %d requests", got)
	}
}

// heldMidStream lints the stream at path offline (the cache warm) and
// returns the most heap the run held after a batch of documents was
// released (after a GC, every 8th batch), and the output.
func heldMidStream(tb testing.TB, environ map[string]string, path string) (peak uint64, stdout string) {
	tb.Helper()
	batches := 0
	hook := func() {
		if batches++; batches%8 != 0 {
			return
		}
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	var out, errb bytes.Buffer
	e := &env{
		ctx:   context.WithValue(context.Background(), batchHookKey{}, hook),
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv:     func(k string) string { return environ[k] },
		isTerminal: func(io.Writer) bool { return false },
	}
	if code := e.run([]string{"manifests", "-f", "gnu", "--fail-on", "none", "--offline", path}); code != 0 {
		tb.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	if batches < 8 {
		tb.Fatalf("%d batches: nothing measured", batches)
	}
	return peak, out.String()
}

// TestManifestsMemoryFlat: a stream is linted a batch of documents at a
// time and released, so the heap a run holds mid-stream does not grow with
// the stream: 40,000 documents hold at most 1.3× what 10,000 do (read
// whole, they held ~4×). The documents have no findings, which are kept
// until the report by design. Bytes, not time.
func TestManifestsMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("lints 50,000 documents")
	}
	srv := streamRegistry(t)
	env := map[string]string{"DOCKVET_CACHE_DIR": t.TempDir(), "DOCKER_CONFIG": t.TempDir()}
	// Ten workloads name the ten images: the cache is then warm.
	if code, _, errOut := runInProcess(t, env, "", "manifests", "--fail-on", "none", manifestStream(t, srv, 10, true)); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	held := func(workloads int) uint64 {
		peak, out := heldMidStream(t, env, manifestStream(t, srv, workloads, true))
		if out != "" {
			t.Fatalf("the clean stream has findings:\n%.2000s", out)
		}
		return peak
	}
	small, large := held(6_667), held(26_667) // 10,000 and 40,000 documents
	t.Logf("heap held mid-stream: %d bytes for 10,000 documents, %d for 40,000", small, large)
	if ratio := float64(large) / float64(small); ratio > 1.3 {
		t.Errorf("40,000 documents hold %.2f× the heap 10,000 do (%d vs %d bytes), want ≤ 1.3×", ratio, large, small)
	}
	if requests := srv.Requests().Manifest; requests != 10 {
		t.Errorf("%d manifest requests for 10 distinct images over three streams, want 10", requests)
	}
}

// BenchmarkManifestsStreamLong lints a 15,000-document stream (10,000
// workloads, each with a finding) offline on a warm cache: docs/s, and the
// most heap held mid-stream (held-MB), which stays near the short stream's.
func BenchmarkManifestsStreamLong(b *testing.B) {
	srv := streamRegistry(b)
	path := manifestStream(b, srv, 10_000, false)
	env := map[string]string{"DOCKVET_CACHE_DIR": b.TempDir(), "DOCKER_CONFIG": b.TempDir()}
	if code, _, errOut := runInProcess(b, env, "", "manifests", "--fail-on", "none", path); code != 0 {
		b.Fatalf("warm-up: exit %d\n%s", code, errOut)
	}
	b.ReportAllocs()
	for b.Loop() {
		if code, _, errOut := runInProcess(b, env, "", "manifests", "-f", "json", "--fail-on", "none", "--offline", path); code != 0 {
			b.Fatalf("exit %d\n%s", code, errOut)
		}
	}
	b.StopTimer()
	peak, _ := heldMidStream(b, env, path)
	b.ReportMetric(15_000*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(peak)/(1<<20), "held-MB")
}

// runInProcess runs dockvet in-process with exactly the given environment
// (runCLIEnv for benchmarks, which have no *testing.T).
func runInProcess(tb testing.TB, environ map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	tb.Helper()
	var out, errb bytes.Buffer
	e := &env{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv:     func(k string) string { return environ[k] },
		isTerminal: func(io.Writer) bool { return false },
	}
	code = e.run(args)
	return code, out.String(), errb.String()
}

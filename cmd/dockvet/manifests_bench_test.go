package main

import (
	"bytes"
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
// path.
func manifestStream(t testing.TB, srv *registrytest.Server, n int) string {
	t.Helper()
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
        command: ["/app", "migrate"]
      containers:
      - name: app
        image: %s
        ports: [{containerPort: 8080}]
        env: [{name: MODE, value: production}, {name: SHARD, value: "%d"}]
        resources: {requests: {cpu: 100m, memory: 128Mi}}
        volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, emptyDir: {}}]
`, i, i, i, 1+i%5, i, i, srv.Ref(fmt.Sprintf("team/app%d:1", i%10)), srv.Ref(fmt.Sprintf("team/app%d:1", i%10)), i)
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
	path := manifestStream(b, srv, 1000)
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

// TestManifestsMemoryFlat: the memory a run allocates grows linearly with
// the number of documents (no per-document cost that grows with the stream,
// such as re-reading configs): 4,000 workloads allocate at most 5× what
// 1,000 do. Counts, not time.
func TestManifestsMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("lints 5,000 workloads")
	}
	srv := streamRegistry(t)
	env := map[string]string{"DOCKVET_CACHE_DIR": t.TempDir(), "DOCKER_CONFIG": t.TempDir()}
	allocated := func(n int) uint64 {
		path := manifestStream(t, srv, n)
		runInProcess(t, env, "", "manifests", "-f", "json", "--fail-on", "none", path) // warm
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if code, _, errOut := runInProcess(t, env, "", "manifests", "-f", "json", "--fail-on", "none", "--offline", path); code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := allocated(1000), allocated(4000)
	if ratio := float64(large) / float64(small); ratio > 5 {
		t.Errorf("4,000 workloads allocate %.1f× what 1,000 do (%d vs %d bytes), want ≤ 5×", ratio, large, small)
	}
	if requests := srv.Requests().Manifest; requests != 10 {
		t.Errorf("%d manifest requests for 10 distinct images over two streams, want 10", requests)
	}
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

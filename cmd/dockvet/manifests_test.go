package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

// manifestRegistry serves the images the manifest tests deploy, each with
// one property a pod spec can make matter or not.
func manifestRegistry(t *testing.T) *registrytest.Server {
	t.Helper()
	srv := registrytest.New(t)
	for ref, spec := range map[string]registrytest.Spec{
		"team/vol:1":          {User: "10001", Volumes: []string{"/data"}, Cmd: []string{"/app"}},
		"team/root:1":         {Cmd: []string{"/app"}},
		"team/nonroot:1":      {User: "10001", Cmd: []string{"/app"}},
		"team/nonroot:latest": {User: "10001", Cmd: []string{"/app"}},
		"team/shell:1":        {User: "10001", Cmd: []string{"/bin/sh", "-c", "node server.js"}},
		"team/shellep:1":      {User: "10001", Entrypoint: []string{"/bin/sh", "-c", "node server.js"}},
		"team/data:1":         {User: "10001", History: []registrytest.Step{{CreatedBy: "COPY models /models"}}},
	} {
		srv.Push(t, ref, registrytest.Image(t, spec))
	}
	return srv
}

// findingKeys runs dockvet manifests (gnu output) and returns its findings
// as "line:col RULE", sorted.
var gnuFinding = regexp.MustCompile(`(?m)^[^:]+:(\d+):(\d+): \w+: .*\[(DV\d+)\]$`)

func findingKeys(out string) []string {
	var keys []string
	for _, m := range gnuFinding.FindAllStringSubmatch(out, -1) {
		keys = append(keys, m[1]+":"+m[2]+" "+m[3])
	}
	slices.Sort(keys)
	return keys
}

const podHead = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
`

// TestManifestsRulesFollowPodSpec: every manifest rule fires, and stays
// silent, as the pod spec dictates: a mounted volume, the securityContext at
// pod and container level, command and args overrides, image volumes,
// init-container copies, suppression comments; Compose services likewise.
func TestManifestsRulesFollowPodSpec(t *testing.T) {
	srv := manifestRegistry(t)
	cache := t.TempDir()
	tests := []struct {
		name, file, yaml string
		want             []string // "line:col RULE"
	}{
		{name: "volume not mounted", yaml: podHead + `  containers:
  - name: app
    image: REG/team/vol:1
`, want: []string{"7:12 DV102"}},
		{name: "volume mounted over", yaml: podHead + `  containers:
  - name: app
    image: REG/team/vol:1
    volumeMounts: [{name: d, mountPath: /data}]
  volumes: [{name: d, emptyDir: {}}]
`},
		{name: "parent of the volume mounted", yaml: podHead + `  containers:
  - name: app
    image: REG/team/vol:1
    volumeMounts: [{name: d, mountPath: /}]
`},
		{name: "root image", yaml: podHead + `  containers:
  - name: app
    image: REG/team/root:1
`, want: []string{"7:12 DV302"}},
		{name: "root image, pod runAsNonRoot", yaml: podHead + `  securityContext: {runAsNonRoot: true}
  containers:
  - name: app
    image: REG/team/root:1
`},
		{name: "root image, container runAsUser", yaml: podHead + `  containers:
  - name: app
    image: REG/team/root:1
    securityContext: {runAsUser: 1000}
`},
		{name: "container runAsUser 0 over the pod's", yaml: podHead + `  securityContext: {runAsUser: 1000}
  containers:
  - name: app
    image: REG/team/nonroot:1
    securityContext: {runAsUser: 0}
`, want: []string{"8:12 DV302"}},
		{name: "pod runAsNonRoot false", yaml: podHead + `  securityContext: {runAsNonRoot: false}
  containers:
  - name: app
    image: REG/team/root:1
`, want: []string{"8:12 DV302"}},
		{name: "shell-form CMD", yaml: podHead + `  containers:
  - name: app
    image: REG/team/shell:1
`, want: []string{"7:12 DV300"}},
		{name: "shell-form CMD overridden by args", yaml: podHead + `  containers:
  - name: app
    image: REG/team/shell:1
    args: ["node", "server.js"]
`},
		{name: "shell-form CMD overridden by command", yaml: podHead + `  containers:
  - name: app
    image: REG/team/shell:1
    command: ["node", "server.js"]
`},
		{name: "shell-form ENTRYPOINT", yaml: podHead + `  containers:
  - name: app
    image: REG/team/shellep:1
`, want: []string{"7:12 DV301"}},
		{name: "shell-form ENTRYPOINT with args", yaml: podHead + `  containers:
  - name: app
    image: REG/team/shellep:1
    args: ["--port", "80"]
`, want: []string{"7:12 DV301"}},
		{name: "shell-form ENTRYPOINT overridden by command", yaml: podHead + `  containers:
  - name: app
    image: REG/team/shellep:1
    command: ["node", "server.js"]
`},
		{name: "image volume: tag rules, no runtime rules", yaml: podHead + `  containers:
  - name: app
    image: REG/team/nonroot:1
    volumeMounts: [{name: m, mountPath: /models}]
  volumes:
  - name: m
    image:
      reference: REG/team/data:latest
`, want: []string{"12:18 DV200"}},
		{name: "untagged ephemeral container", yaml: podHead + `  containers:
  - name: app
    image: REG/team/nonroot:1
  ephemeralContainers:
  - name: debug
    image: busybox
`, want: []string{"10:12 DV201"}},
		{name: "init container copies into a shared emptyDir", yaml: podHead + `  initContainers:
  - name: fetch
    image: REG/team/data:1
    command: ["sh", "-c", "cp -r /models/. /work/"]
    volumeMounts: [{name: m, mountPath: /work}]
  containers:
  - name: app
    image: REG/team/nonroot:1
    volumeMounts: [{name: m, mountPath: /models}]
  volumes: [{name: m, emptyDir: {}}]
`, want: []string{"8:5 DV700"}},
		{name: "init container copies into an emptyDir no one else mounts", yaml: podHead + `  initContainers:
  - name: fetch
    image: REG/team/data:1
    command: ["cp", "-r", "/models/.", "/work/"]
    volumeMounts: [{name: m, mountPath: /work}]
  containers:
  - name: app
    image: REG/team/nonroot:1
  volumes: [{name: m, emptyDir: {}}]
`},
		{name: "init container copies from another volume", yaml: podHead + `  initContainers:
  - name: fetch
    image: REG/team/data:1
    command: ["cp", "-r", "/config/app.yaml", "/work/"]
    volumeMounts: [{name: m, mountPath: /work}, {name: c, mountPath: /config}]
  containers:
  - name: app
    image: REG/team/nonroot:1
    volumeMounts: [{name: m, mountPath: /etc/app}]
  volumes: [{name: m, emptyDir: {}}, {name: c, configMap: {name: app}}]
`},
		{name: "init container extracts a tar into a shared emptyDir", yaml: podHead + `  initContainers:
  - name: fetch
    image: REG/team/data:1
    command: ["tar", "-xzf", "/models.tgz", "-C", "/work"]
    volumeMounts: [{name: m, mountPath: /work}]
  containers:
  - name: app
    image: REG/team/nonroot:1
    volumeMounts: [{name: m, mountPath: /models}]
  volumes: [{name: m, emptyDir: {}}]
`, want: []string{"8:5 DV700"}},
		{name: "suppression above the image line", yaml: podHead + `  containers:
  - name: app
    # dockvet ignore=DV102,root-user
    image: REG/team/vol:1
  - name: other
    image: REG/team/root:1
`, want: []string{"10:12 DV302"}},
		{name: "Deployment with replicas", yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 50
  template:
    spec:
      containers:
      - name: app
        image: REG/team/vol:1
`, want: []string{"10:16 DV102"}},
		{name: "compose", file: "compose.yaml", yaml: `services:
  web:
    image: REG/team/root:1
  worker:
    image: REG/team/root:1
    user: "1000"
  cache:
    image: REG/team/vol:${VOL_TAG:-1}
    volumes: ["cachedata:/data"]
  shell:
    image: REG/team/shell:1
    command: node server.js
  tagged:
    image: REG/team/nonroot:${TAG:-latest}
  built:
    build: .
    image: myapp
volumes:
  cachedata: {}
`, want: []string{"14:12 DV200", "3:12 DV302"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			name := tt.file
			if name == "" {
				name = "pod.yaml"
			}
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(strings.ReplaceAll(tt.yaml, "REG", srv.Host())), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLIEnv(t, map[string]string{"DOCKVET_CACHE_DIR": cache, "DOCKER_CONFIG": t.TempDir()}, "",
				"manifests", "-f", "gnu", "--fail-on", "warning", "--enable", "DV700", path)
			got := findingKeys(out)
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings %q, want %q\n%s%s", got, tt.want, out, errOut)
			}
			if want := min(len(tt.want), 1); code != want {
				t.Errorf("exit %d, want %d\n%s", code, want, errOut)
			}
		})
	}
}

// TestManifestsResolveOncePerRun: each distinct image is resolved once per
// run however many workloads name it, a warm cache makes no request (counted
// at the server), and --offline on a cold cache reports the misses once on
// stderr instead of one DV001 per image.
func TestManifestsResolveOncePerRun(t *testing.T) {
	srv := manifestRegistry(t)
	cache := t.TempDir()
	var b strings.Builder
	for i := range 20 {
		b.WriteString("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web" + string(rune('a'+i)) + "}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: REG/team/vol:1\n      - name: side\n        image: REG/team/nonroot:1\n")
	}
	path := filepath.Join(t.TempDir(), "many.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(b.String(), "REG", srv.Host())), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DOCKVET_CACHE_DIR": cache, "DOCKER_CONFIG": t.TempDir()}
	run := func(args ...string) (int, string, string) {
		return runCLIEnv(t, env, "", append([]string{"manifests", "-f", "gnu", "--fail-on", "none"}, args...)...)
	}

	_, out, errOut := run("--offline", path)
	if n := strings.Count(out, "[DV102]"); n != 0 || strings.Contains(out, "[DV001]") {
		t.Errorf("offline, cold cache: want no DV102 or DV001, got:\n%s", out)
	}
	if !strings.Contains(errOut, "2 images were not checked (offline, not in the cache)") {
		t.Errorf("offline, cold cache: stderr lacks the count of images not checked:\n%s", errOut)
	}
	if got := srv.Requests().Total(); got != 0 {
		t.Errorf("offline run sent %d requests", got)
	}

	_, out, _ = run(path)
	if n := strings.Count(out, "[DV102]"); n != 20 {
		t.Errorf("cold run: %d DV102 findings, want 20 (one per Deployment)\n%s", n, out)
	}
	if got := srv.Requests(); got.Manifest != 2 {
		t.Errorf("cold run: %d manifest requests for 2 distinct images, want 2 (%+v)", got.Manifest, got)
	}

	srv.Reset()
	_, warm, _ := run(path)
	if got := srv.Requests().Total(); got != 0 {
		t.Errorf("warm run sent %d requests, want 0", got)
	}
	if warm != out {
		t.Errorf("warm run differs from the cold one:\n%s\n---\n%s", warm, out)
	}
	_, offline, errOut := run("--offline", path)
	if offline != out || strings.Contains(errOut, "not checked") {
		t.Errorf("offline on a warm cache differs from the online run:\n%s\n%s", offline, errOut)
	}
}

// TestManifestsPlatformFromNodeSelector: a pod's nodeSelector
// kubernetes.io/arch picks the platform of its images' configs.
func TestManifestsPlatformFromNodeSelector(t *testing.T) {
	srv := registrytest.New(t)
	amd := registrytest.Image(t, registrytest.Spec{User: "10001", Cmd: []string{"/app"}})
	arm := registrytest.Image(t, registrytest.Spec{Platform: "linux/arm64", Cmd: []string{"/app"}}) // root on arm64 only
	srv.PushIndex(t, "team/multi:1", registrytest.Index(t, amd, arm))
	pod := func(selector string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n" + selector + "  containers:\n  - name: app\n    image: " + srv.Ref("team/multi:1") + "\n"
	}
	for _, tt := range []struct {
		name, selector string
		root           bool
	}{
		{name: "no selector: --platform default amd64", root: false},
		{name: "arm64 selector", selector: "  nodeSelector: {kubernetes.io/arch: arm64}\n", root: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pod.yaml")
			if err := os.WriteFile(path, []byte(pod(tt.selector)), 0o644); err != nil {
				t.Fatal(err)
			}
			_, out, errOut := runCLIEnv(t, map[string]string{"DOCKER_CONFIG": t.TempDir()}, "", "manifests", "-f", "gnu", path)
			if got := strings.Contains(out, "[DV302]"); got != tt.root {
				t.Errorf("DV302 reported: %v, want %v\n%s%s", got, tt.root, out, errOut)
			}
		})
	}
}

// TestManifestsInvalidYAML: a file the YAML library refuses is an error at
// file:line:col of the offending character (columns in characters, as
// findings), in the format of every other file error; exit 2, and the valid
// file beside it is still linted. Kubernetes streams, Compose files and
// stdin alike.
func TestManifestsInvalidYAML(t *testing.T) {
	const pod = "kind: Pod\nspec:\n  containers:\n  - name: a\n"
	tests := []struct {
		name, file, text string
		at, msg          string // "line:col", start of the message
	}{
		{"tab for indentation", "bad.yaml", pod + "\timage: x\n", "5:1", "found a tab character that violates indentation (while scanning a plain scalar that starts at 4:11)"},
		{"unclosed quote", "bad.yaml", pod + "    image: \"x\n", "6:1", "found unexpected end of stream (while scanning a quoted scalar that starts at 5:12)"},
		{"mapping in a value", "bad.yaml", pod + "    image: a: b: c\n", "5:13", "mapping values are not allowed in this context"},
		{"unclosed flow sequence", "bad.yaml", pod + "    command: [sh, -c\n    image: x\n", "6:10", "did not find expected ',' or ']' (while parsing a flow sequence that starts at 5:14)"},
		{"bad indentation", "bad.yaml", pod + "    image: x\n   name: b\n", "6:4", "did not find expected key"},
		{"undefined alias", "bad.yaml", pod + "    image: *img\n", "5:12", "unknown anchor 'img' referenced"},
		{"invalid UTF-8", "bad.yaml", pod + "    image: é\xff\n", "5:13", "invalid leading UTF-8 octet"},
		{"control character", "bad.yaml", pod + "    image: x\x07\n", "5:13", "control characters are not allowed"},
		{"byte order mark", "bad.yaml", "\ufeff" + pod + "    image: a: b\n", "5:13", "mapping values are not allowed"},
		{"CRLF", "bad.yaml", strings.ReplaceAll(pod+"    image: a: b\n", "\n", "\r\n"), "5:13", "mapping values are not allowed"},
		{"second document", "bad.yaml", pod + "    image: x\n---\n" + pod + "    image: [x\n", "12:1", "did not find expected ',' or ']'"},
		{"compose tab", "compose.yaml", "services:\n  web:\n\timage: x\n", "3:1", "found character that cannot start any token"},
		{"compose unclosed quote", "compose.yaml", "services:\n  web:\n    image: 'x\n", "4:1", "found unexpected end of stream"},
		{"compose mapping in a value", "docker-compose.yml", "services:\n  web:\n    image: é: x\n", "3:13", "mapping values are not allowed"},
		{"compose bad interpolation", "compose.yaml", "services:\n  web:\n    image: ${IMG\n", "3:12", "invalid interpolation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			bad, good := filepath.Join(dir, tt.file), filepath.Join(dir, "good.yaml")
			if err := os.WriteFile(bad, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(good, []byte(pod+"    image: x:latest\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLI(t, "", "manifests", "-f", "gnu", bad, good)
			want := bad + ":" + tt.at + ": error: invalid YAML: " + tt.msg
			if strings.HasPrefix(tt.msg, "invalid interpolation") {
				want = bad + ":" + tt.at + ": error: " + tt.msg
			}
			if code != 2 || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", code, errOut, want)
			}
			if !strings.Contains(out, good+":5:12: warning:") {
				t.Errorf("the valid file was not linted:\n%s", out)
			}
			// Read from stdin, the same error names the stdin name.
			if tt.file != "bad.yaml" {
				return
			}
			code, _, errOut = runCLI(t, tt.text, "manifests", "-f", "gnu", "--stdin-filename", "chart.yaml", "-")
			if want := "chart.yaml:" + tt.at + ": error: invalid YAML: " + tt.msg; code != 2 || !strings.Contains(errOut, want) {
				t.Errorf("stdin: exit %d, stderr:\n%s\nwant exit 2 and %q", code, errOut, want)
			}
		})
	}
}

// TestManifestsInputs: stdin (a Helm-rendered stream with comments, a List,
// a CronJob and kinds to skip), invalid YAML (exit 2 naming the file and
// line; the other files still linted), directories (unrendered Helm
// templates skipped) and Compose interpolation from .env.
func TestManifestsInputs(t *testing.T) {
	t.Run("helm template on stdin", func(t *testing.T) {
		stdin := `---
# Source: app/templates/service.yaml
apiVersion: v1
kind: Service
metadata: {name: app}
---
# Source: app/templates/cronjob.yaml
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      parallelism: 4
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: job
            image: "example.com/batch:latest"
---
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: agent}
  spec:
    template:
      spec:
        containers:
        - name: agent
          image: example.com/agent
- apiVersion: example.com/v1
  kind: Widget
  metadata: {name: w}
`
		code, out, errOut := runCLI(t, stdin, "manifests", "-f", "gnu", "-")
		want := []string{"21:20 DV200", "34:18 DV201"}
		if got := findingKeys(out); !slices.Equal(got, want) {
			t.Errorf("findings %q, want %q\n%s", got, want, out)
		}
		if !strings.HasPrefix(out, "<stdin>:") || code != 1 {
			t.Errorf("exit %d, output:\n%s", code, out)
		}
		if !strings.Contains(errOut, "skipped 2 documents of kinds that run no pod template dockvet reads: Service 1, Widget 1") {
			t.Errorf("stderr does not count the skipped kinds:\n%s", errOut)
		}
	})
	t.Run("invalid YAML", func(t *testing.T) {
		dir := t.TempDir()
		bad, good := filepath.Join(dir, "bad.yaml"), filepath.Join(dir, "good.yaml")
		if err := os.WriteFile(bad, []byte("kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x: y\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(good, []byte("kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x:latest\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runCLI(t, "", "manifests", "-f", "gnu", bad, good)
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		if !strings.Contains(errOut, bad+":5:13: error: invalid YAML: mapping values are not allowed") {
			t.Errorf("stderr does not name the file and line:\n%s", errOut)
		}
		if !strings.Contains(out, good+":5:12: warning:") {
			t.Errorf("the valid file was not linted:\n%s", out)
		}
	})
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		for name, text := range map[string]string{
			"templates/deployment.yaml": "kind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n",
			"values.yaml":               "replicas: 3\nimage: {tag: latest}\n",
			"k8s/pod.yml":               "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x\n",
			"node_modules/x/pod.yaml":   "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: y\n",
		} {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		code, out, errOut := runCLI(t, "", "manifests", "-f", "gnu", dir)
		want := []string{"5:12 DV201"}
		if got := findingKeys(out); code != 1 || !slices.Equal(got, want) || !strings.Contains(out, filepath.Join(dir, "k8s/pod.yml")) {
			t.Errorf("exit %d, findings %q, want %q\n%s%s", code, got, want, out, errOut)
		}
	})
	t.Run("directory without manifests", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "values.yaml"), []byte("replicas: 3\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runCLI(t, "", "manifests", dir)
		if code != 2 || !strings.Contains(errOut, "no Kubernetes workload or Compose file found under "+dir) {
			t.Errorf("exit %d, want 2 naming the directory\n%s", code, errOut)
		}
	})
	t.Run("compose with .env", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte("services:\n  web:\n    image: \"nginx:${NGINX_TAG:-1.27}\"\n  db:\n    image: postgres:${PG_TAG}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("# versions\nNGINX_TAG=latest\nPG_TAG=\"17\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, out, errOut := runCLI(t, "", "manifests", "-f", "gnu", dir)
		want := []string{"3:12 DV200"}
		if got := findingKeys(out); !slices.Equal(got, want) {
			t.Errorf("findings %q, want %q\n%s%s", got, want, out, errOut)
		}
		// With --env the environment wins over .env, as in docker compose;
		// without it the environment is not read (CI variables are secrets).
		environ := map[string]string{"DOCKVET_OFFLINE": "1", "NGINX_TAG": "1.27"}
		if _, out, _ = runCLIEnv(t, environ, "", "manifests", "-f", "gnu", "--env", dir); len(findingKeys(out)) != 0 {
			t.Errorf("--env with NGINX_TAG=1.27 in the environment: findings %q, want none", findingKeys(out))
		}
		if _, out, _ = runCLIEnv(t, environ, "", "manifests", "-f", "gnu", dir); !slices.Equal(findingKeys(out), want) {
			t.Errorf("without --env: findings %q, want %q (the environment read)", findingKeys(out), want)
		}
	})
	t.Run("environment and other files stay out of the output", func(t *testing.T) {
		const token = "glpat-Ab3Cd5Ef7Gh9Ij1Kl2Mn"
		outside := t.TempDir()
		if err := os.WriteFile(filepath.Join(outside, "envfile"), []byte("CI_TOKEN="+token+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, compose := range []string{
			"services:\n  api:\n    image: nginx:${CI_TOKEN}\n",
			"services:\n  db:\n    image: \"postgres:${NOPE:?set ${CI_TOKEN}}\"\n",
		} {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, env := range []map[string]string{{"DOCKVET_OFFLINE": "1", "CI_TOKEN": token}, {"DOCKVET_OFFLINE": "1"}} {
				_, out, errOut := runCLIEnv(t, env, "", "manifests", "--enable", "DV203", filepath.Join(dir, "compose.yaml"))
				if strings.Contains(out+errOut, token) {
					t.Errorf("the token reached the output (environment %v):\n%s%s", env, out, errOut)
				}
				if env["CI_TOKEN"] == "" {
					continue
				}
				// A .env linked to a file outside the project is not read.
				if err := os.Symlink(filepath.Join(outside, "envfile"), filepath.Join(dir, ".env")); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// TestManifestsSizes: DV410 and DV411 judge the layers of a deployed image
// as its manifest lists them, against the config's limits; suppressions and
// an unknown rule name in one (DV002) work as in lint.
func TestManifestsSizes(t *testing.T) {
	srv := registrytest.New(t)
	img := registrytest.Image(t, registrytest.Spec{User: "10001", Cmd: []string{"/app"}, History: []registrytest.Step{{CreatedBy: "COPY a /a"}, {CreatedBy: "COPY b /b"}}})
	srv.Push(t, "team/big:1", img)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var total, smallest int64 = 0, 1 << 62
	for _, l := range layers {
		n, err := l.Size()
		if err != nil {
			t.Fatal(err)
		}
		total, smallest = total+n, min(smallest, n)
	}
	dir := t.TempDir()
	pod := filepath.Join(dir, "pod.yaml")
	text := podHead + "  containers:\n  - name: app\n    image: " + srv.Ref("team/big:1") + "\n  - name: quiet\n    # dockvet ignore=DV410,oversized-image,DV999\n    image: " + srv.Ref("team/big:1") + "\n"
	if err := os.WriteFile(pod, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		config string
		want   []string
	}{
		{name: "within the limits", config: "", want: []string{"9:44 DV002"}},
		{name: "over both", config: fmt.Sprintf("max-layer-size: %d\nmax-image-size: %d\n", smallest-1, total-1), want: []string{"7:12 DV410", "7:12 DV410", "7:12 DV411", "9:44 DV002"}},
		{name: "image over, layers within", config: fmt.Sprintf("max-image-size: %d\n", total-1), want: []string{"7:12 DV411", "9:44 DV002"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), ".dockvet.yaml")
			if err := os.WriteFile(cfg, []byte(tt.config), 0o644); err != nil {
				t.Fatal(err)
			}
			_, out, errOut := runCLIEnv(t, map[string]string{"DOCKER_CONFIG": t.TempDir()}, "", "manifests", "-f", "gnu", "--fail-on", "none", "--config", cfg, pod)
			got := findingKeys(out)
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings %q, want %q\n%s%s", got, tt.want, out, errOut)
			}
		})
	}
}

// TestManifestsDeep: with --deep, DV101 gives the bytes the runtime copies
// under an unmounted VOLUME, times the replicas (DV102 then does not report
// the same volume again); a volume mounted over the path is no copy.
func TestManifestsDeep(t *testing.T) {
	srv := registrytest.New(t)
	base := registrytest.Image(t, registrytest.Spec{User: "10001", Volumes: []string{"/data"}, Cmd: []string{"/app"}})
	layer, err := crane.Layer(map[string][]byte{"data/model.bin": bytes.Repeat([]byte{1}, 3<<20), "data/vocab.txt": []byte("a b c")})
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(base, layer)
	if err != nil {
		t.Fatal(err)
	}
	srv.Push(t, "team/model:1", img)
	deployment := func(mounts string) string {
		return "kind: Deployment\nmetadata: {name: serve}\nspec:\n  replicas: 50\n  template:\n    spec:\n      containers:\n      - name: app\n        image: " + srv.Ref("team/model:1") + "\n" + mounts
	}
	cache := t.TempDir()
	for _, tt := range []struct {
		name, mounts string
		deep         bool
		want         []string
		message      string
	}{
		{name: "without --deep", want: []string{"9:16 DV102"}},
		{name: "--deep", deep: true, want: []string{"9:16 DV101"}, message: "the image holds 3 MiB (2 files) under VOLUME /data and the container mounts nothing there, so the runtime copies it into a new anonymous volume at every container start in each of the 50 replicas (150 MiB per rollout)"},
		{name: "--deep, mounted", deep: true, mounts: "        volumeMounts: [{name: d, mountPath: /data}]\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "deploy.yaml")
			if err := os.WriteFile(path, []byte(deployment(tt.mounts)), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"manifests", "-f", "gnu", "--fail-on", "none", path}
			if tt.deep {
				args = append(args, "--deep")
			}
			code, out, errOut := runCLIEnv(t, map[string]string{"DOCKVET_CACHE_DIR": cache, "DOCKER_CONFIG": t.TempDir()}, "", args...)
			if got := findingKeys(out); code != 0 || !slices.Equal(got, tt.want) {
				t.Errorf("exit %d, findings %q, want %q\n%s%s", code, got, tt.want, out, errOut)
			}
			if tt.message != "" && !strings.Contains(out, tt.message) {
				t.Errorf("message lacks %q:\n%s", tt.message, out)
			}
		})
	}
}

// TestManifestsPolicyRules: DV203 (enabled) and DV204 (trusted-registries
// set) judge every image reference of a pod, image volumes included; an
// image the registry does not have is DV001, on its image line.
func TestManifestsPolicyRules(t *testing.T) {
	srv := manifestRegistry(t)
	dir := t.TempDir()
	pod := filepath.Join(dir, "pod.yaml")
	text := podHead + `  containers:
  - name: app
    image: REG/team/nonroot:1
  - name: gone
    image: REG/team/missing:1
  - name: other-host
    image: ALIAS/team/nonroot:1@sha256:` + strings.Repeat("0", 64) + `
  volumes:
  - name: m
    image: {reference: REG/team/data:1}
`
	// The same loopback registry under another name is another registry
	// for the trust policy (and no traffic leaves the machine).
	text = strings.ReplaceAll(text, "ALIAS", strings.Replace(srv.Host(), "127.0.0.1", "localhost", 1))
	if err := os.WriteFile(pod, []byte(strings.ReplaceAll(text, "REG", srv.Host())), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, ".dockvet.yaml")
	if err := os.WriteFile(cfg, []byte("trusted-registries: ["+srv.Host()+"]\nenable: [DV203]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The other host's image is pinned by digest, so DV203 spares it;
	// DV204 reports it, and its made-up digest is DV001 (not found).
	_, out, errOut := runCLIEnv(t, map[string]string{"DOCKER_CONFIG": t.TempDir()}, "", "manifests", "-f", "gnu", "--fail-on", "none", "--config", cfg, pod)
	got := findingKeys(out)
	want := []string{"11:12 DV001", "11:12 DV204", "14:24 DV203", "7:12 DV203", "9:12 DV001", "9:12 DV203"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q\n%s%s", got, want, out, errOut)
	}
}

// A found file meant to be a manifest that does not parse is an error, not
// skipped: else the run passes with the broken file unchecked.
func TestManifestsBrokenFoundFile(t *testing.T) {
	for name, text := range map[string]string{
		"compose.yaml": "services:\n  web:\n    image: nginx\n   bad: [\n",
		"deploy.yaml":  "apiVersion: apps/v1\nkind: Deployment\nspec: {template: [\n",
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "pod.yaml"), []byte("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: nginx:1.27\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "chart-template.yaml"), []byte("{{- if .Values.x }}\nfoo: {{ .Values.y }}\n{{- end }}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runCLI(t, "", "manifests", dir)
		if code != 2 || !strings.Contains(out+errOut, name) || strings.Contains(out+errOut, "chart-template") {
			t.Errorf("%s: exit %d\n%s%s", name, code, out, errOut)
		}
	}
}

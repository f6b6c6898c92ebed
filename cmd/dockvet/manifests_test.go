package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

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

package manifest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func parse(t *testing.T, text string) *File {
	t.Helper()
	f, err := Parse("m.yaml", []byte(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestReplicasByKind: the replica count of each workload kind, and where
// its pod spec lives.
func TestReplicasByKind(t *testing.T) {
	tests := []struct {
		kind, spec string
		replicas   int
		perNode    bool
		variable   bool
	}{
		{kind: "Pod", spec: "spec:\n  containers: [{name: a, image: x:1}]\n", replicas: 1},
		{kind: "Deployment", spec: "spec:\n  replicas: 50\n  template:\n    spec:\n      containers: [{name: a, image: x:1}]\n", replicas: 50},
		{kind: "Deployment", spec: "spec:\n  template:\n    spec:\n      containers: [{name: a, image: x:1}]\n", replicas: 1},
		{kind: "StatefulSet", spec: "spec:\n  replicas: 3\n  template:\n    spec:\n      containers: [{name: a, image: x:1}]\n", replicas: 3},
		{kind: "ReplicaSet", spec: "spec:\n  replicas: 0\n  template:\n    spec:\n      containers: [{name: a, image: x:1}]\n", replicas: 0},
		{kind: "ReplicationController", spec: "spec:\n  replicas: '7'\n  template:\n    spec:\n      containers: [{name: a, image: x:1}]\n", replicas: 7},
		{kind: "DaemonSet", spec: "spec:\n  template:\n    spec:\n      containers: [{name: a, image: x:1}]\n", perNode: true},
		{kind: "Job", spec: "spec:\n  parallelism: 8\n  template:\n    spec:\n      containers: [{name: a, image: x:1}]\n", replicas: 8},
		{kind: "CronJob", spec: "spec:\n  jobTemplate:\n    spec:\n      parallelism: 2\n      template:\n        spec:\n          containers: [{name: a, image: x:1}]\n", replicas: 2},
		{kind: "Deployment", spec: "spec:\n  replicas: ${REPLICAS}\n  template:\n    spec:\n      containers: [{name: a, image: x:1}]\n", replicas: 1, variable: true},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			f := parse(t, "kind: "+tt.kind+"\nmetadata: {name: w}\n"+tt.spec)
			if len(f.Workloads) != 1 {
				t.Fatalf("%d workloads", len(f.Workloads))
			}
			w := f.Workloads[0]
			if w.Replicas != tt.replicas || w.PerNode != tt.perNode || w.ReplicasFromVariable != tt.variable {
				t.Errorf("replicas %d perNode %v variable %v, want %d %v %v", w.Replicas, w.PerNode, w.ReplicasFromVariable, tt.replicas, tt.perNode, tt.variable)
			}
			if imgs := w.Images(); len(imgs) != 1 || imgs[0].Ref != "x:1" {
				t.Errorf("images %+v", imgs)
			}
		})
	}
}

// TestImagePositions: each image reference is located at its YAML value,
// quotes included, in every place a pod names an image.
func TestImagePositions(t *testing.T) {
	f := parse(t, `kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - name: init
    image: "a:1"
  containers:
  - image: b:2
    name: main
  ephemeralContainers:
  - {name: dbg, image: 'c:3'}
  volumes:
  - name: v
    image:
      reference: d:4
`)
	var got []string
	for _, u := range f.Workloads[0].Images() {
		got = append(got, fmt.Sprintf("%s %d:%d-%d", u.Ref, u.Range.Start.Line, u.Range.Start.Col, u.Range.End.Col))
	}
	want := []string{"a:1 6:12-17", "b:2 8:12-15", "c:3 11:24-29", "d:4 15:18-21"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestMountAt: a mount covers its path and the paths under it, not a
// sibling with the same prefix.
func TestMountAt(t *testing.T) {
	c := &Container{Mounts: []Mount{{Path: "/data/"}, {Path: "/var/lib/app"}}}
	for p, want := range map[string]bool{"/data": true, "/data/db": true, "/database": false, "/var/lib/app/x": true, "/var/lib": false} {
		if got := c.MountAt(p) != nil; got != want {
			t.Errorf("MountAt(%q) = %v, want %v", p, got, want)
		}
	}
}

// TestEffectiveSecurity: the container's securityContext fields win over
// the pod's, field by field.
func TestEffectiveSecurity(t *testing.T) {
	f := parse(t, `kind: Pod
spec:
  securityContext: {runAsUser: 1000, runAsNonRoot: true}
  containers:
  - name: a
    image: x:1
    securityContext: {runAsUser: 0}
  - name: b
    image: x:1
`)
	w := f.Workloads[0]
	a, b := w.EffectiveSecurity(w.Pod.Containers[0]), w.EffectiveSecurity(w.Pod.Containers[1])
	if *a.RunAsUser != 0 || !*a.RunAsNonRoot || a.UserRange.Start.Line != 7 {
		t.Errorf("a: %+v", a)
	}
	if *b.RunAsUser != 1000 || b.UserRange.Start.Line != 3 {
		t.Errorf("b: %+v", b)
	}
}

// TestInterpolate follows docker compose's rules.
func TestInterpolate(t *testing.T) {
	env := map[string]string{"SET": "v", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct{ in, want, err string }{
		{in: "nginx:1.27", want: "nginx:1.27"},
		{in: "a:${SET}", want: "a:v"},
		{in: "a:$SET-x", want: "a:v-x"},
		{in: "a:${UNSET:-latest}", want: "a:latest"},
		{in: "a:${EMPTY:-d}", want: "a:d"},
		{in: "a:${EMPTY-d}", want: "a:"},
		{in: "a:${UNSET-d}", want: "a:d"},
		{in: "a:${SET:+alt}", want: "a:alt"},
		{in: "a:${UNSET:+alt}", want: "a:"},
		{in: "a:${UNSET:-${SET}}", want: "a:v"},
		{in: "cost $$5", want: "cost $5"},
		{in: "a:${UNSET}", want: "a:"},
		{in: "a:${UNSET:?needs a tag}", err: "required variable UNSET is missing a value: needs a tag"},
		{in: "a:${SET", err: "no closing brace"},
	}
	for _, tt := range tests {
		got, err := Interpolate(tt.in, lookup)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Interpolate(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Interpolate(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestCopies reads the copies of init-container commands, directly and
// through a shell.
func TestCopies(t *testing.T) {
	tests := []struct {
		command, args []string
		want          string
	}{
		{command: []string{"cp", "-r", "/models/.", "/data/"}, want: "cp [/models/.] /data/"},
		{command: []string{"sh", "-c", "set -e; mkdir -p /data/m && cp -a /models/* /data/m"}, want: "cp [/models/*] /data/m"},
		{command: []string{"/bin/sh", "-ec"}, args: []string{"rsync -a /srv/ /cache"}, want: "rsync [/srv/] /cache"},
		{command: []string{"sh", "-c"}, args: []string{"tar -xzf /model.tgz -C /data"}, want: "tar [] /data"},
		{command: []string{"tar", "-cf", "/out.tar", "-C", "/data", "."}, want: ""}, // creates, does not extract
		{command: []string{"cp", "-t", "/data", "/a", "/b"}, want: "cp [/a /b] /data"},
		{command: []string{"sh", "-c", "echo hello"}, want: ""},
		{command: []string{"/app"}, want: ""},
	}
	for _, tt := range tests {
		c := &Container{Command: tt.command, Args: tt.args}
		var got []string
		for _, cp := range c.Copies() {
			got = append(got, fmt.Sprintf("%s %v %s", cp.Tool, cp.Sources, cp.Dest))
		}
		if strings.Join(got, "; ") != tt.want {
			t.Errorf("%q %q: copies %q, want %q", tt.command, tt.args, got, tt.want)
		}
	}
}

// TestComposeServices: services as pods of one container, with image,
// user, command/entrypoint overrides, mounts and replicas.
func TestComposeServices(t *testing.T) {
	f, err := Parse("compose.yaml", []byte(`services:
  web:
    image: nginx:${TAG:-1.27}
    user: "1000:1000"
    entrypoint: ["/docker-entrypoint.sh"]
    volumes:
      - ./html:/usr/share/nginx/html:ro
      - cache:/var/cache/nginx
      - type: volume
        source: logs
        target: /var/log/nginx
    tmpfs: /run
    deploy: {replicas: 3}
    platform: linux/arm64
`), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	w := f.Workloads[0]
	c := w.Pod.Containers[0]
	if !f.Compose || w.Name != "web" || w.Replicas != 3 || w.Platform() != "linux/arm64" {
		t.Errorf("workload %+v", w)
	}
	if c.Image != "nginx:1.27" || c.ImageRange.Start.Line != 3 || c.ImageRange.Start.Col != 12 {
		t.Errorf("image %q at %v", c.Image, c.ImageRange)
	}
	if c.Security.User != "1000:1000" || !c.HasCommand || c.HasArgs {
		t.Errorf("container %+v", c)
	}
	var mounts []string
	for _, m := range c.Mounts {
		mounts = append(mounts, m.Volume+"@"+m.Path)
	}
	if want := []string{"@/usr/share/nginx/html", "cache@/var/cache/nginx", "logs@/var/log/nginx", "@/run"}; !slices.Equal(mounts, want) {
		t.Errorf("mounts %q, want %q", mounts, want)
	}
}

// TestSuppressed reads the ignore comments directly above a line.
func TestSuppressed(t *testing.T) {
	f := &File{Lines: strings.Split(`containers:
- name: a
  # dockvet ignore=DV200,root-user reason
  # another comment
  image: x:latest
- name: b  # dockvet ignore=DV201
  image: y
`, "\n")}
	if got := f.Suppressed(5); !slices.Equal(got, []Suppression{{"DV200", 3, 20}, {"root-user", 3, 26}}) {
		t.Errorf("line 5: %+v", got)
	}
	if got := f.Suppressed(7); len(got) != 0 {
		t.Errorf("line 7: %+v (a trailing comment on the line above does not count)", got)
	}
}

// TestValidReference: placeholders and unrendered templates name no image.
func TestValidReference(t *testing.T) {
	for ref, want := range map[string]bool{
		"nginx": true, "nginx:1.27": true, "registry.example.com:5000/team/app@sha256:" + strings.Repeat("a", 64): true,
		"": false, "<image_url>": false, "<YOUR-CONTAINER>": false, "{{ .Values.image }}": false, "${IMAGE}": false, "$(IMAGE)": false, "UPPER/Case": false,
	} {
		if got := ValidReference(ref); got != want {
			t.Errorf("ValidReference(%q) = %v, want %v", ref, got, want)
		}
	}
}

// TestComposeMergeKeys: services that take their image and user from an
// anchor through a merge key are read, at the anchor's position; keys
// written in the service win.
func TestComposeMergeKeys(t *testing.T) {
	f, err := Parse("compose.yaml", []byte(`x-app: &app
  image: example.com/app:latest
  user: root
services:
  web:
    <<: *app
  worker:
    <<: [*app]
    user: "1000"
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range f.Workloads {
		c := w.Pod.Containers[0]
		got = append(got, fmt.Sprintf("%s %s@%d:%d user=%s", w.Name, c.Image, c.ImageRange.Start.Line, c.ImageRange.Start.Col, c.Security.User))
	}
	want := []string{"web example.com/app:latest@2:10 user=root", "worker example.com/app:latest@2:10 user=1000"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Hostile YAML: a List bomb built from aliases (a billion pods in a few
// hundred bytes) is refused once MaxObjects objects are read, and a
// mapping that merges itself ends, neither exhausting memory nor the stack.
func TestHostileAliases(t *testing.T) {
	defs := "  - &l0 {apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {containers: [{name: c, image: 'nginx:1'}]}}\n"
	for i := 1; i < 10; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", ")
		defs += fmt.Sprintf("  - &l%d {kind: List, items: [%s]}\n", i, refs)
	}
	if _, err := Parse("bomb.yaml", []byte("kind: List\nitems:\n"+defs), nil); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("alias bomb: err %v", err)
	}
	f, err := Parse("compose.yaml", []byte("services:\n  web: &w\n    <<: *w\n    image: nginx\n"), nil)
	if err != nil || len(f.Workloads) != 1 {
		t.Errorf("self-merging mapping: %v, %+v", err, f)
	}
}

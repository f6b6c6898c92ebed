package rules

import (
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/manifest"
	"github.com/dockvet/dockvet/internal/rule"
)

// TestInitContainerCopy: DV700 fires on the copy pattern, once per init
// container, at the command key, and its message carries the image volume
// (with subPath when the copy took a directory's contents).
func TestInitContainerCopy(t *testing.T) {
	const tmpl = `kind: Deployment
metadata: {name: serve}
spec:
  replicas: 50
  template:
    spec:
      initContainers:
      - name: fetch
        image: example.com/models/llama:3.1
        command: COMMAND
        volumeMounts: [{name: model, mountPath: /data}]
      containers:
      - name: server
        image: example.com/serve:2.4
        volumeMounts: [{name: model, mountPath: /models, readOnly: true}]
      volumes: [{name: model, VOLUME}]
`
	tests := []struct {
		name, command, volume string
		want                  []string // substrings of the one message; nil: no finding
	}{
		{name: "contents copied", command: `["sh", "-c", "cp -r /models/. /data/"]`, volume: "emptyDir: {}",
			want: []string{`init container "fetch"`, `emptyDir "model", which "server" mounts`, "in each of the 50 replicas", "{name: model, image: {reference: example.com/models/llama:3.1, pullPolicy: IfNotPresent}}", `mount it in "server" at /models with subPath: models`}},
		{name: "directory copied", command: `["cp", "-r", "/models", "/data/"]`, volume: "emptyDir: {}",
			want: []string{`mount it in "server" at /models/models with subPath: models`}},
		{name: "file copied into a subdirectory", command: `["cp", "/srv/app.war", "/data/webapps"]`, volume: "emptyDir: {}",
			want: []string{`mount it in "server" at /models/webapps/app.war with subPath: srv/app.war`}},
		{name: "tar stream", command: `["sh", "-c", "tar -xf /m.tar -C /data"]`, volume: "emptyDir: {}",
			want: []string{"mount it where the emptyDir was"}},
		{name: "two copies, one finding", command: `["sh", "-c", "cp /a/x /data/ && cp /a/y /data/"]`, volume: "emptyDir: {}",
			want: []string{"cp into /data/"}},
		{name: "into a hostPath", command: `["cp", "-r", "/models/.", "/data/"]`, volume: "hostPath: {path: /mnt}"},
		{name: "not a copy", command: `["sh", "-c", "chown -R 1000 /data"]`, volume: "emptyDir: {}"},
		{name: "copy elsewhere", command: `["cp", "-r", "/models/.", "/tmp/"]`, volume: "emptyDir: {}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.NewReplacer("COMMAND", tt.command, "VOLUME", tt.volume).Replace(tmpl)
			f, err := manifest.Parse("m.yaml", []byte(text), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []rule.Diagnostic
			pass := rule.NewManifestPass(InitContainerCopy, f, f.Workloads[0], nil, func(_ *manifest.ImageUse, d rule.Diagnostic) { got = append(got, d) })
			InitContainerCopy.CheckManifest(pass)
			if tt.want == nil {
				if len(got) != 0 {
					t.Errorf("want no finding, got %q", got[0].Message)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d findings, want 1: %+v", len(got), got)
			}
			if r := got[0].Range; r.Start.Line != 10 || r.Start.Col != 9 {
				t.Errorf("at %v, want 10:9 (the command key)", r.Start)
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0].Message, w) {
					t.Errorf("message lacks %q:\n%s", w, got[0].Message)
				}
			}
		})
	}
}

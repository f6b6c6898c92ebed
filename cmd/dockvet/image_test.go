package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockvet/dockvet/internal/imagesrc/imagesrctest"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

// appSpec is an image with one finding of each image rule. Built with
// registrytest.Image, it is byte-for-byte the same in every run.
func appSpec() registrytest.Spec {
	return registrytest.Spec{
		Volumes: []string{"/data", "/var/cache/app"},
		Cmd:     []string{"/bin/sh", "-c", "node server.js"},
		History: []registrytest.Step{
			{CreatedBy: "/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / "},
			{CreatedBy: `/bin/sh -c #(nop)  CMD ["bash"]`, Empty: true},
			{CreatedBy: "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl # buildkit", Comment: "buildkit.dockerfile.v0"},
			{CreatedBy: "COPY . /app # buildkit", Comment: "buildkit.dockerfile.v0"},
			{CreatedBy: "RUN |1 NODE_ENV=production /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit", Comment: "buildkit.dockerfile.v0"},
			{CreatedBy: "RUN /bin/sh -c apt-get update # buildkit", Comment: "buildkit.dockerfile.v0"},
			{CreatedBy: "VOLUME [/data]", Comment: "buildkit.dockerfile.v0", Empty: true},
			{CreatedBy: `CMD ["/bin/sh" "-c" "node server.js"]`, Comment: "buildkit.dockerfile.v0", Empty: true},
		},
	}
}

// cleanSpec is an image with no finding.
func cleanSpec() registrytest.Spec {
	return registrytest.Spec{
		User: "10001",
		Cmd:  []string{"/app"},
		History: []registrytest.Step{
			{CreatedBy: "COPY app /app # buildkit"},
			{CreatedBy: "USER 10001", Empty: true},
			{CreatedBy: `CMD ["/app"]`, Empty: true},
		},
	}
}

// inImageDir writes the test images into a fresh directory and makes it
// the working directory for the test, so that the references in the output
// (oci-layout:app:v1, docker-archive:app.tar) are the same in every run.
// It returns the repository root, where the golden files are.
func inImageDir(t *testing.T) string {
	t.Helper()
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	app := registrytest.Image(t, appSpec())
	clean := registrytest.Image(t, cleanSpec())
	imagesrctest.WriteLayout(t, filepath.Join(dir, "app"),
		imagesrctest.Entry{Image: app, Tag: "v1"},
		imagesrctest.Entry{Image: clean, Tag: "clean"})
	imagesrctest.WriteArchive(t, filepath.Join(dir, "app.tar"), map[string]v1.Image{"example.com/app:v1": app})
	t.Chdir(dir)
	return root
}

func imageGolden(t *testing.T, root, name, got string) {
	t.Helper()
	path := filepath.Join(root, "cmd", "dockvet", "testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/dockvet -update)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/dockvet -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestImageFormats(t *testing.T) {
	root := inImageDir(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"image.text", []string{"image", "--color", "never", "oci-layout:app:v1"}, 1},
		{"image.gnu", []string{"image", "-f", "gnu", "oci-layout:app:v1"}, 1},
		{"image.json", []string{"image", "-f", "json", "oci-layout:app:v1"}, 1},
		{"image.archive.gnu", []string{"image", "-f", "gnu", "docker-archive:app.tar"}, 1},
		{"image.clean.text", []string{"image", "oci-layout:app:clean"}, 0},
		{"image.ignore.gnu", []string{"image", "-f", "gnu", "--ignore", "DV402", "--ignore", "root-user", "--severity", "DV100=error", "--enable", "DV203", "oci-layout:app:v1"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if errOut != "" {
				t.Errorf("stderr: %s", errOut)
			}
			imageGolden(t, root, tt.name, out)
		})
	}
}

func TestImageExitCodes(t *testing.T) {
	inImageDir(t)
	for _, tt := range []struct {
		failOn string
		want   int
	}{{"error", 0}, {"warning", 1}, {"none", 0}} {
		code, _, errOut := runCLI(t, "", "image", "-f", "gnu", "--fail-on", tt.failOn, "oci-layout:app:v1")
		if code != tt.want {
			t.Errorf("--fail-on %s: exit %d, want %d (%s)", tt.failOn, code, tt.want, errOut)
		}
	}
	// The same findings, whichever way the image is named.
	_, byTag, _ := runCLI(t, "", "image", "-f", "json", "oci-layout:app:v1")
	_, archive, _ := runCLI(t, "", "image", "-f", "json", "docker-archive:app.tar:example.com/app:v1")
	strip := func(s string) string {
		s = strings.ReplaceAll(s, `"oci-layout:app:v1"`, "REF")
		return strings.ReplaceAll(s, `"docker-archive:app.tar:example.com/app:v1"`, "REF")
	}
	if strip(byTag) != strip(archive) {
		t.Errorf("OCI layout and docker archive disagree:\n%s\n%s", byTag, archive)
	}
}

func TestImageErrors(t *testing.T) {
	inImageDir(t)
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"no reference", []string{"image"}, "needs at least one image reference"},
		{"missing layout", []string{"image", "oci-layout:nope"}, "oci-layout:nope: error: no such directory: nope"},
		{"not a layout", []string{"image", "oci-layout:app.tar"}, "app.tar is not a directory"},
		{"unknown tag", []string{"image", "oci-layout:app:v9"}, `app has no image tagged "v9" (org.opencontainers.image.ref.name); it holds: v1 (sha256:`},
		{"several images, no tag", []string{"image", "oci-layout:app"}, "app holds 2 images; name one as oci-layout:app:TAG"},
		{"missing archive", []string{"image", "docker-archive:nope.tar"}, "docker-archive:nope.tar: error: no such file: nope.tar"},
		{"bad reference", []string{"image", "Not/Valid"}, "Not/Valid: error: invalid image reference"},
		{"offline registry", []string{"image", "alpine:3.20"}, "alpine:3.20: error: could not fetch the image: offline"},
		{"bad platform", []string{"image", "--platform", "arm64", "oci-layout:app:v1"}, "invalid platform"},
		{"unknown rule", []string{"image", "--ignore", "DV999", "oci-layout:app:v1"}, `unknown rule "DV999"`},
		{"bad format", []string{"image", "-f", "xml", "oci-layout:app:v1"}, "valid formats"},
		{"lint-only flag", []string{"image", "--target", "x", "oci-layout:app:v1"}, "unknown flag: --target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %s)", code, errOut)
			}
			if !strings.Contains(errOut, tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.wantStderr)
			}
		})
	}
	// An unreadable image does not stop the others; JSON lists the error.
	code, out, errOut := runCLI(t, "", "image", "-f", "json", "oci-layout:nope", "oci-layout:app:v1")
	if code != 2 || errOut != "" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	var doc struct {
		Findings []map[string]any `json:"findings"`
		Errors   []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) == 0 || len(doc.Errors) != 1 || doc.Errors[0]["file"] != "oci-layout:nope" {
		t.Errorf("%d findings, errors %v", len(doc.Findings), doc.Errors)
	}
}

func TestImageHelp(t *testing.T) {
	code, out, _ := runCLI(t, "", "image", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"oci-layout:DIR[:TAG]", "docker-archive:FILE.tar", "--platform", "--fail-on", "--offline", "history entry", "Examples:"} {
		if !strings.Contains(out, want) && !strings.Contains(strings.ToLower(out), strings.ToLower(want)) {
			t.Errorf("help lacks %q", want)
		}
	}
	_, rootHelp, _ := runCLI(t, "", "--help")
	if !strings.Contains(rootHelp, "image") {
		t.Error("root help does not list the image command")
	}
}

// TestImageRegistry lints an image served by a registry on 127.0.0.1 (the
// only test here that is not offline).
func TestImageRegistry(t *testing.T) {
	srv := registrytest.New(t)
	srv.Push(t, "team/app:latest", registrytest.Image(t, appSpec()))
	srv.Push(t, "team/app:1.0", registrytest.Image(t, cleanSpec()))
	online := map[string]string{}
	ref := srv.Ref("team/app:latest")
	code, out, errOut := runCLIEnv(t, online, "", "image", "-f", "gnu", ref, srv.Ref("team/app:1.0"))
	if code != 1 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	for _, want := range []string{
		ref + `: warning: image ` + ref + `: the tag "latest" moves with every push`,
		ref + ":7:9: warning: history entry 7 `VOLUME [\"/data\"]`: VOLUME /data makes the runtime create an anonymous volume",
		ref + ":5:5: warning: history entry 5 `RUN rm -rf /var/lib/apt/lists/*`: /var/lib/apt/lists is removed in a later RUN",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "team/app:1.0") {
		t.Errorf("the clean image has findings:\n%s", out)
	}
	// A tag that does not exist is an error, not a finding.
	code, _, errOut = runCLIEnv(t, online, "", "image", srv.Ref("team/app:nope"))
	if code != 2 || !strings.Contains(errOut, "could not fetch the image: not found") {
		t.Errorf("missing tag: exit %d, stderr %q", code, errOut)
	}
}

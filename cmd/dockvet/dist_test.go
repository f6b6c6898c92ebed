package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/distbuild"
)

// TestRootDockerfile: the root Dockerfile (dockvet's image for docker build
// users) is clean under dockvet's own rules, and it declares what `make
// image` builds (internal/distbuild): user, entrypoint, environment, labels.
func TestRootDockerfile(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "lint", "--offline", "-f", "json", "Dockerfile")
	var doc struct {
		Findings []json.RawMessage `json:"findings"`
		Errors   []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("exit %d: %v\n%s%s", code, err, stdout, stderr)
	}
	if code != 0 || len(doc.Findings) != 0 || len(doc.Errors) != 0 {
		t.Errorf("dockvet lint Dockerfile: exit %d, findings:\n%s%s", code, stdout, stderr)
	}

	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	want := []string{
		"FROM scratch",
		"USER " + "65532:65532",
		`ENTRYPOINT ["` + distbuild.BinaryPath + `"]`,
		"WORKDIR " + distbuild.WorkDir,
		"-o /rootfs" + distbuild.BinaryPath,
		"go run ./scripts/image -rootfs /rootfs",
		distbuild.Description,
	}
	want = append(want, distbuild.Env...)
	for key := range distbuild.Labels(distbuild.Stamp{}) {
		want = append(want, key+"=")
	}
	for _, s := range want {
		if !strings.Contains(src, s) {
			t.Errorf("the root Dockerfile lacks %q (make image has it)", s)
		}
	}
}

// TestVersionStamp: what make release passes with -X reaches `dockvet
// version` and --version. Not parallel: it sets the package variables.
func TestVersionStamp(t *testing.T) {
	saved := [3]string{version, commit, date}
	t.Cleanup(func() { version, commit, date = saved[0], saved[1], saved[2] })
	version, commit, date = "v1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-01-02T03:04:05Z"
	want := "dockvet v1.2.3 commit 0123456789ab built 2026-01-02T03:04:05Z go"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, _ := runCLI(t, "", args...)
		if code != 0 || !strings.HasPrefix(stdout, want) {
			t.Errorf("dockvet %s: exit %d, %q; want it to start with %q", args[0], code, stdout, want)
		}
	}
}

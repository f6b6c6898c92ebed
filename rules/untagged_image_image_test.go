package rules

import (
	"testing"

	"github.com/dockvet/dockvet/internal/image"
)

func TestUntaggedImageImage(t *testing.T) {
	img := func(ref string) *image.Image { return testImage(ref, nil, debianBase...) }
	runImageCases(t, UntaggedImage, []builtImageCase{
		{"no tag", img("nginx"), []string{"0:0-0:0 image nginx has no tag, so it means nginx:latest"}},
		{"registry port is not a tag", img("localhost:5000/app"), []string{"0:0-0:0 image localhost:5000/app has no tag, so it means localhost:5000/app:latest"}},
		{"docker://", img("docker://alpine"), []string{"0:0-0:0 image alpine has no tag"}},
		{"digest", img("nginx@sha256:" + sha), nil},
		{"tag", img("nginx:1.27"), nil},
		{"latest is DV200's", img("nginx:latest"), nil},
		{"OCI layout without tag", img("oci-layout:out"), nil},
		{"docker archive", img("docker-archive:app.tar"), nil},
	})
}

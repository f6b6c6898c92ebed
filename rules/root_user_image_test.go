package rules

import (
	"testing"

	"github.com/dockvet/dockvet/internal/image"
)

func user(u string, cmd ...string) func(*image.Image) {
	return func(img *image.Image) { img.User, img.Cmd = u, cmd }
}

func TestRootUserImage(t *testing.T) {
	runImageCases(t, RootUser, []builtImageCase{
		{"no user", testImage("app:1", user("", "app"), debianBase...),
			[]string{"0:0-0:0 the image config sets no user, so containers run as root (uid 0): a container escape owns the node; add USER <non-root>"}},
		{"USER root entry", testImage("app:1", user("root", "app"), steps(debianBase, "-USER root", "COPY . /app # buildkit")...),
			[]string{"3:8-3:12 history entry 3 `USER root`: the image runs as root (uid 0)"}},
		{"classic USER 0:0", testImage("app:1", user("0:0", "app"), steps(debianBase, "-/bin/sh -c #(nop)  USER 0:0")...),
			[]string{"3:8-3:11 history entry 3 `USER 0:0`: the image runs as root"}},
		{"config changed after the build", testImage("app:1", user("0", "app"), steps(debianBase, "-USER app")...),
			[]string{`0:0-0:0 the image config's user "0" is root (uid 0)`}},
		{"non-root", testImage("app:1", user("10001", "app"), debianBase...), nil},
		{"named user", testImage("app:1", user("app", "app"), debianBase...), nil},
		{"data only: nothing runs", testImage("data:1", user(""), "COPY data /data # buildkit"), nil},
		{"entrypoint only still runs", testImage("app:1", func(img *image.Image) { img.Entrypoint = []string{"app"} }, debianBase...),
			[]string{"0:0-0:0 the image config sets no user"}},
		{"windows", testImage("app:1", func(img *image.Image) { img.OS = "windows"; img.Cmd = []string{"cmd"} }), nil},
	})
}

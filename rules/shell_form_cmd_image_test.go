package rules

import (
	"testing"

	"github.com/dockvet/dockvet/internal/image"
)

func cmdEntrypoint(cmd, ep []string) func(*image.Image) {
	return func(img *image.Image) { img.Cmd, img.Entrypoint, img.User = cmd, ep, "1000" }
}

func TestShellFormCmdImage(t *testing.T) {
	shell := []string{"/bin/sh", "-c", "npm start"}
	runImageCases(t, ShellFormCmd, []builtImageCase{
		{"BuildKit CMD entry", testImage("app:1", cmdEntrypoint(shell, nil), steps(debianBase, "COPY . /app # buildkit", `-CMD ["/bin/sh" "-c" "npm start"]`)...),
			[]string{`4:7-4:37 history entry 4 ` + "`" + `CMD ["/bin/sh", "-c", "npm start"]` + "`" + `: shell-form CMD runs under "/bin/sh -c", which is dash on Debian and Ubuntu: dash stays PID 1 (BusyBox sh on Alpine and bash on Fedora would replace themselves with a single command) and does not forward SIGTERM: every stop waits out the grace period and ends in SIGKILL; use the exec form CMD ["npm", "start"] in the Dockerfile`}},
		{"classic CMD entry", testImage("app:1", cmdEntrypoint(shell, nil), steps(debianBase, `-/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "npm start"]`)...),
			[]string{`3:7-3:37 history entry 3`}},
		{"no matching entry: the config", testImage("app:1", cmdEntrypoint(shell, nil), debianBase...),
			[]string{`0:0-0:0 the image config's CMD ["/bin/sh", "-c", "npm start"] is in shell form: it runs under "/bin/sh -c"`}},
		{"entry for another CMD does not count", testImage("app:1", cmdEntrypoint(shell, nil), steps(debianBase, `-CMD ["/bin/sh" "-c" "other"]`)...),
			[]string{`0:0-0:0 the image config's CMD`}},
		{"needs the shell: no exec form offered", testImage("app:1", cmdEntrypoint([]string{"/bin/sh", "-c", "cd /app && node a.js"}, nil), debianBase...),
			[]string{"0:0-0:0 the image config's CMD [\"/bin/sh\", \"-c\", \"cd /app && node a.js\"] is in shell form: it runs under \"/bin/sh -c\", which is dash on Debian and Ubuntu: dash stays PID 1 (BusyBox sh on Alpine and bash on Fedora would replace themselves with the last command of a list) and does not forward SIGTERM: every stop waits out the grace period and ends in SIGKILL; use the exec (JSON) form, or make the shell hand over with `exec`"}},
		{"bash hands over to a single command", testImage("app:1", cmdEntrypoint([]string{"/bin/bash", "-c", "npm start"}, nil), debianBase...), nil},
		{"bash stays PID 1 for a pipeline", testImage("app:1", cmdEntrypoint([]string{"/bin/bash", "-c", "npm start | tee /log"}, nil), debianBase...),
			[]string{"0:0-0:0 the image config's CMD [\"/bin/bash\", \"-c\", \"npm start | tee /log\"] is in shell form: it runs under \"/bin/bash -c\", which stays PID 1 for a pipeline (no shell replaces itself with it)"}},
		{"exec hands over", testImage("app:1", cmdEntrypoint([]string{"/bin/sh", "-c", "cd /app && exec node a.js"}, nil), debianBase...), nil},
		{"exec form", testImage("app:1", cmdEntrypoint([]string{"npm", "start"}, nil), debianBase...), nil},
		{"shell-form ENTRYPOINT is DV301's", testImage("app:1", cmdEntrypoint(shell, []string{"/bin/sh", "-c", "run"}), debianBase...), nil},
		{"exec-form ENTRYPOINT keeps the CMD finding", testImage("app:1", cmdEntrypoint(shell, []string{"tini", "--"}), debianBase...),
			[]string{"0:0-0:0 the image config's CMD"}},
		{"windows", testImage("app:1", func(img *image.Image) { img.OS = "windows"; img.Cmd = shell }), nil},
		{"no CMD", testImage("app:1", nil, debianBase...), nil},
	})
}

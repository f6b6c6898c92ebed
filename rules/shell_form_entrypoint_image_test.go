package rules

import "testing"

func TestShellFormEntrypointImage(t *testing.T) {
	ep := []string{"/bin/sh", "-c", "node /app/server.js"}
	runImageCases(t, ShellFormEntrypoint, []builtImageCase{
		{"entry, no CMD: exec form offered", testImage("app:1", cmdEntrypoint(nil, ep), steps(debianBase, `-ENTRYPOINT ["/bin/sh" "-c" "node /app/server.js"]`)...),
			[]string{"3:14-3:54 history entry 3 `ENTRYPOINT [\"/bin/sh\", \"-c\", \"node /app/server.js\"]`: shell-form ENTRYPOINT runs under \"/bin/sh -c\", which is dash on Debian and Ubuntu: dash stays PID 1 (BusyBox sh on Alpine and bash on Fedora would replace themselves with a single command) and does not forward SIGTERM: every stop waits out the grace period and ends in SIGKILL, and `docker run` or pod arguments are ignored; use the exec form ENTRYPOINT [\"node\", \"/app/server.js\"] in the Dockerfile"}},
		{"with a CMD: it is ignored, no exec form offered", testImage("app:1", cmdEntrypoint([]string{"--port", "8080"}, ep), debianBase...),
			[]string{"0:0-0:0 the image config's ENTRYPOINT [\"/bin/sh\", \"-c\", \"node /app/server.js\"] is in shell form: it runs under \"/bin/sh -c\", which is dash on Debian and Ubuntu: dash stays PID 1 (BusyBox sh on Alpine and bash on Fedora would replace themselves with a single command) and does not forward SIGTERM: every stop waits out the grace period and ends in SIGKILL, and the image's CMD [\"--port\", \"8080\"] is ignored (a shell-form ENTRYPOINT gets no arguments); use the exec (JSON) form"}},
		{"bash hands over, no CMD", testImage("app:1", cmdEntrypoint(nil, []string{"/bin/bash", "-c", "node a.js"}), debianBase...), nil},
		{"bash hands over, but the CMD is ignored", testImage("app:1", cmdEntrypoint([]string{"--port", "8080"}, []string{"/bin/bash", "-c", "node a.js"}), debianBase...),
			[]string{"0:0-0:0 the image config's ENTRYPOINT [\"/bin/bash\", \"-c\", \"node a.js\"] is in shell form: it runs under \"/bin/bash -c\", and the image's CMD [\"--port\", \"8080\"] is ignored (a shell-form ENTRYPOINT gets no arguments)"}},
		{"exec form", testImage("app:1", cmdEntrypoint(nil, []string{"node", "a.js"}), debianBase...), nil},
		{"exec in the script", testImage("app:1", cmdEntrypoint(nil, []string{"/bin/sh", "-c", "exec node a.js"}), debianBase...), nil},
		{"no ENTRYPOINT", testImage("app:1", nil, debianBase...), nil},
	})
}

package rules

import "testing"

func TestShellFormEntrypointImage(t *testing.T) {
	ep := []string{"/bin/sh", "-c", "node /app/server.js"}
	runImageCases(t, ShellFormEntrypoint, []builtImageCase{
		{"entry, no CMD: exec form offered", testImage("app:1", cmdEntrypoint(nil, ep), steps(debianBase, `-ENTRYPOINT ["/bin/sh" "-c" "node /app/server.js"]`)...),
			[]string{"3:14-3:54 history entry 3 `ENTRYPOINT [\"/bin/sh\", \"-c\", \"node /app/server.js\"]`: shell-form ENTRYPOINT runs under \"/bin/sh -c\", which stays PID 1 and does not forward SIGTERM: every stop waits out the grace period and ends in SIGKILL, and `docker run` or pod arguments are ignored; use the exec form ENTRYPOINT [\"node\", \"/app/server.js\"] in the Dockerfile"}},
		{"with a CMD: it is ignored, no exec form offered", testImage("app:1", cmdEntrypoint([]string{"--port", "8080"}, ep), debianBase...),
			[]string{"0:0-0:0 the image config's ENTRYPOINT [\"/bin/sh\", \"-c\", \"node /app/server.js\"] is in shell form: it runs under \"/bin/sh -c\", which stays PID 1 and does not forward SIGTERM: every stop waits out the grace period and ends in SIGKILL, and the image's CMD [\"--port\", \"8080\"] is ignored (a shell-form ENTRYPOINT gets no arguments); use the exec (JSON) form"}},
		{"exec form", testImage("app:1", cmdEntrypoint(nil, []string{"node", "a.js"}), debianBase...), nil},
		{"exec in the script", testImage("app:1", cmdEntrypoint(nil, []string{"/bin/sh", "-c", "exec node a.js"}), debianBase...), nil},
		{"no ENTRYPOINT", testImage("app:1", nil, debianBase...), nil},
	})
}

package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestPipeHidesFailure(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
		msg  string
	}{
		{"curl into sh on Debian: switch to bash", "FROM debian:bookworm\nRUN curl -fsSL https://x/i.sh | sh\n", []string{"2:5-2:35"},
			`curl is piped into sh without pipefail: if the download fails, the pipeline still exits with sh's status and the build goes on with a missing or truncated result; /bin/sh is dash on debian:bookworm, which has no pipefail: set SHELL ["/bin/bash", "-o", "pipefail", "-c"] before this RUN`},
		{"wget into tar on Alpine: set -o pipefail works", "FROM alpine:3.20\nRUN wget -qO- https://x/a.tgz | tar -xz\n", []string{"2:5-2:36"},
			"start the script with `set -o pipefail &&` (BusyBox sh has it)"},
		// The pipe reads into a group whose first named command is inside
		// $(...): the command after || is not what the pipe feeds.
		{"piped into a group", "FROM debian\nRUN curl -fsSL https://x/gpg | (OUT=$(apt-key add - 2>&1) || echo $OUT)\n", []string{"2:5-2:29"},
			"curl is piped into a command group without pipefail: if the download fails, the pipeline still exits with the group's status"},
		{"pipe inside an if branch names its reader", "FROM debian\nRUN if true; then curl https://x | tar -x; fi\n", []string{"2:19-2:39"}, "curl is piped into tar without pipefail"},
		{"unknown base", "FROM example/base\nRUN curl https://x | gpg --dearmor > /k.gpg\n", []string{"2:5-2:25"},
			"curl is piped into gpg without pipefail"},
		{"explicit bash SHELL without pipefail", "FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\nRUN curl https://x | bash\n", []string{"3:5-3:26"},
			"start the script with `set -o pipefail &&`, or set SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]"},
		{"explicit dash SHELL", "FROM debian\nSHELL [\"/bin/dash\", \"-c\"]\nRUN curl https://x | sh\n", []string{"3:5-3:24"}, "dash has no pipefail"},
		{"builder stage too", "FROM debian AS build\nRUN curl https://x | tar -x\nFROM scratch\nCOPY --from=build /x /x\n", []string{"2:5-2:25"}, "curl is piped into tar"},
		{"inside sh -c", "FROM debian\nRUN sh -c 'curl https://x | sh'\n", []string{"2:12-2:31"}, "curl is piped into sh"},
		{"pipefail set after the pipe does not count", "FROM debian\nRUN curl https://x | sh; set -o pipefail\n", []string{"2:5-2:24"}, "curl is piped into sh"},
		{"SHELL with pipefail", "FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl https://x | sh\n", nil, ""},
		{"SHELL -eo pipefail", "FROM alpine\nSHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN wget -O- https://x | sh\n", nil, ""},
		{"SHELL inherited from the parent stage", "FROM debian AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM base\nRUN curl https://x | sh\n", nil, ""},
		{"set -euo pipefail first", "FROM alpine\nRUN set -euo pipefail; curl https://x | sh\n", nil, ""},
		{"set -o pipefail in a heredoc", "FROM alpine\nRUN <<EOF\nset -o pipefail\ncurl https://x | sh\nEOF\n", nil, ""},
		{"bash -o pipefail -c", "FROM debian\nRUN bash -o pipefail -c 'curl https://x | sh'\n", nil, ""},
		{"producer is not a download", "FROM debian\nRUN echo hi | tee /x\n", nil, ""},
		{"download into a file", "FROM debian\nRUN curl -o /tmp/i.sh https://x && sh /tmp/i.sh\n", nil, ""},
		{"download is the consumer", "FROM debian\nRUN echo url | xargs curl -O\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, PipeHidesFailure, tt.src, dockerfile.Options{})
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

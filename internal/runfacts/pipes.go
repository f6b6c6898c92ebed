package runfacts

import (
	"path"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
)

// downloaders are the programs that fetch a URL and can write it to
// standard output.
var downloaders = &Words{List: []string{"curl", "wget", "fetch"}}

// IsDownload reports whether c downloads something (curl, wget, fetch).
func IsDownload(c *dockerfile.Call) bool { return downloaders.Has(c.Name) }

// Pipe is a command whose standard output goes into another command.
type Pipe struct {
	Producer *dockerfile.Call
	Index    int // of Producer in Run.Calls
	Consumer *dockerfile.Call
	// Pipefail: pipefail is in effect where the pipe runs (the SHELL, an
	// earlier `set -o pipefail`, or a shell started with -o pipefail).
	Pipefail bool
}

// Pipes returns the commands of the RUN whose output goes into a pipe, in
// order.
func (r *Run) Pipes() []Pipe {
	if r.pipeDone {
		return r.pipes
	}
	r.pipeDone = true
	on := ShellPipefail(r.In.Shell)
	for i, c := range r.Calls {
		if v, ok := setsPipefail(c); ok {
			on = v
		}
		if c.PipedTo != nil {
			r.pipes = append(r.pipes, Pipe{Producer: c, Index: i, Consumer: c.PipedTo, Pipefail: on})
		}
	}
	return r.pipes
}

// ShellPipefail reports whether a SHELL turns pipefail on:
// ["/bin/bash", "-o", "pipefail", "-c"], ["/bin/ash", "-eo", "pipefail", "-c"].
func ShellPipefail(shell []string) bool {
	on := false
	for i := 1; i+1 < len(shell); i++ {
		if v, ok := pipefailOption(shell[i], shell[i+1]); ok {
			on = v
		}
	}
	return on
}

// pipefailOption reads an option word and the word after it: -o pipefail
// (also in a cluster such as -euo) turns pipefail on, +o pipefail off.
func pipefailOption(opt, next string) (on, ok bool) {
	if next != "pipefail" || len(opt) < 2 || strings.HasPrefix(opt, "--") {
		return false, false
	}
	if (opt[0] == '-' || opt[0] == '+') && strings.HasSuffix(opt, "o") {
		return opt[0] == '-', true
	}
	return false, false
}

// setsPipefail recognises `set -o pipefail` (`set -euo pipefail`, `set +o
// pipefail`) and a shell started with -o pipefail (`bash -o pipefail -c
// ...`, whose commands follow it in Calls).
func setsPipefail(c *dockerfile.Call) (on, ok bool) {
	if c.Name != "set" && !dockerfile.IsPOSIXShell([]string{path.Base(c.Name)}) {
		return false, false
	}
	if c.Name == "" {
		return false, false
	}
	for i := 0; i+1 < len(c.Args); i++ {
		if v, found := pipefailOption(c.Args[i].Value, c.Args[i+1].Value); found {
			on, ok = v, true
		}
	}
	return on, ok
}

package dockerfile

import (
	"strings"
	"testing"
)

// TestWordResolve checks the value of the last argument of the last call of
// the last RUN, with the Dockerfile's ARG/ENV and the base image's Env.
func TestWordResolve(t *testing.T) {
	const unknown = "<unknown>"
	tests := []struct {
		name      string
		lines     []string
		base      []string // the base image's config Env; nil: unknown
		buildArgs map[string]string
		want      string
	}{
		{"literal", []string{"FROM debian", "RUN mkdir /srv/data"}, nil, nil, "/srv/data"},
		{"env", []string{"FROM debian", "ENV APP_ROOT=/srv/app", "RUN mkdir $APP_ROOT/data"}, nil, nil, "/srv/app/data"},
		{"env braces", []string{"FROM debian", "ENV APP_ROOT=/srv/app", "RUN mkdir ${APP_ROOT}/x"}, nil, nil, "/srv/app/x"},
		{"env quoted", []string{"FROM debian", `ENV APP_ROOT="/srv/app"`, `RUN mkdir "$APP_ROOT"/cache`}, nil, nil, "/srv/app/cache"},
		{"env legacy form", []string{"FROM debian", "ENV APP_ROOT /srv/app", "RUN mkdir $APP_ROOT"}, nil, nil, "/srv/app"},
		{"env uses env", []string{"FROM debian", "ENV A=/srv", "ENV B=$A/app", "RUN mkdir $B"}, nil, nil, "/srv/app"},
		{"one ENV expands in the scope before it", []string{"FROM debian", "ENV A=/old", "ENV A=/new B=$A/x", "RUN mkdir $B"}, nil, nil, "/old/x"},
		{"arg default", []string{"FROM debian", "ARG DIR=/opt/d", "RUN mkdir $DIR"}, nil, nil, "/opt/d"},
		{"arg quoted", []string{"FROM debian", `ARG DIR="/opt/d"`, "RUN mkdir $DIR"}, nil, nil, "/opt/d"},
		{"arg quoted, build-arg", []string{"FROM debian", `ARG DIR="/opt/d"`, "RUN mkdir $DIR"}, nil, map[string]string{"DIR": "/b"}, "/b"},
		{"arg build-arg", []string{"FROM debian", "ARG DIR=/opt/d", "RUN mkdir $DIR"}, nil, map[string]string{"DIR": "/b"}, "/b"},
		{"arg without value", []string{"FROM debian", "ARG DIR", "RUN mkdir $DIR"}, nil, nil, unknown},
		{"arg without value, scratch", []string{"FROM scratch", "ARG DIR", "RUN mkdir /a$DIR"}, nil, nil, "/a"},
		{"global arg redeclared", []string{"ARG DIR=/g", "FROM debian", "ARG DIR", "RUN mkdir $DIR"}, nil, nil, "/g"},
		{"global arg not redeclared", []string{"ARG DIR=/g", "FROM debian", "RUN mkdir $DIR"}, nil, nil, unknown},
		{"arg after env wins", []string{"FROM debian", "ENV D=/e", "ARG D=/a", "RUN mkdir $D"}, nil, nil, "/a"},
		{"inherited through FROM stage", []string{"FROM debian AS base", "ENV APP=/srv", "FROM base", "RUN mkdir $APP/x"}, nil, nil, "/srv/x"},
		{"not inherited from another stage", []string{"FROM debian AS a", "ENV APP=/srv", "FROM debian", "RUN mkdir $APP/x"}, nil, nil, unknown},
		{"unknown base", []string{"FROM debian", "RUN mkdir $APP/x"}, nil, nil, unknown},
		{"base env", []string{"FROM debian", "RUN mkdir $APP/x"}, []string{"APP=/usr/app"}, nil, "/usr/app/x"},
		{"base env not set", []string{"FROM debian", "RUN mkdir /a$APP/x"}, []string{"OTHER=1"}, nil, "/a/x"},
		{"env from base env", []string{"FROM debian", "ENV D=$APP/data", "RUN mkdir $D"}, []string{"APP=/usr/app"}, nil, "/usr/app/data"},
		{"env from unknown base", []string{"FROM debian", "ENV D=$APP/data", "RUN mkdir $D"}, nil, nil, unknown},
		{"HOME is the runtime's", []string{"FROM debian", `RUN mkdir "$HOME"/cache`}, []string{"PATH=/bin"}, nil, unknown},
		{"HOME from ENV", []string{"FROM debian", "ENV HOME=/home/app", `RUN mkdir "$HOME"/cache`}, nil, nil, "/home/app/cache"},
		{"default", []string{"FROM debian", "RUN mkdir ${D:-/def}"}, nil, nil, unknown},
		{"default, scratch", []string{"FROM scratch", "RUN mkdir ${D:-/def}"}, nil, nil, "/def"},
		{"default not used", []string{"FROM debian", "ENV D=/set", "RUN mkdir ${D:-/def}"}, nil, nil, "/set"},
		{"default for empty", []string{"FROM debian", "ENV D=", "RUN mkdir ${D:-/def}"}, nil, nil, "/def"},
		{"default - keeps empty", []string{"FROM debian", "ENV D=", "RUN mkdir /a${D-/def}"}, nil, nil, "/a"},
		{"alternative", []string{"FROM debian", "ENV D=1", "RUN mkdir /a${D:+/alt}"}, nil, nil, "/a/alt"},
		{"unsupported expansion", []string{"FROM debian", "ENV D=/a/", "RUN mkdir ${D%/}"}, nil, nil, unknown},
		{"command substitution", []string{"FROM debian", "RUN mkdir $(pwd)/x"}, nil, nil, unknown},
		{"field splitting", []string{"FROM debian", `ENV D="/a /b"`, "RUN mkdir $D"}, nil, nil, unknown},
		{"quoted, no splitting", []string{"FROM debian", `ENV D="/a b"`, `RUN mkdir "$D"`}, nil, nil, "/a b"},
		{"positional", []string{"FROM debian", "RUN mkdir $1"}, nil, nil, unknown},
		{"single quotes", []string{"FROM debian", "ENV D=/x", "RUN mkdir '$D'"}, nil, nil, "$D"},
		// The script's own variables.
		{"script assignment", []string{"FROM debian", "RUN X=/a; mkdir $X/b"}, nil, nil, "/a/b"},
		{"script assignment uses env", []string{"FROM debian", "ENV R=/srv", "RUN X=$R/a && mkdir $X"}, nil, nil, "/srv/a"},
		{"export", []string{"FROM debian", "RUN export X=/a; mkdir $X"}, nil, nil, "/a"},
		{"script overrides env", []string{"FROM debian", "ENV X=/env", "RUN X=/script; mkdir $X"}, nil, nil, "/script"},
		{"prefix assignment is not the shell's", []string{"FROM debian", "ENV X=/env", "RUN X=/pre mkdir $X"}, nil, nil, "/env"},
		{"conditional assignment", []string{"FROM debian", "RUN test -d /a || X=/b; mkdir $X"}, nil, nil, unknown},
		{"assignment in if", []string{"FROM debian", "ENV X=/e", "RUN if true; then X=/b; fi; mkdir $X"}, nil, nil, unknown},
		{"subshell assignment does not leak", []string{"FROM debian", "ENV X=/e", "RUN (X=/b); mkdir $X"}, nil, nil, "/e"},
		{"pipeline assignment does not leak", []string{"FROM debian", "ENV X=/e", "RUN X=/b | true; mkdir $X"}, nil, nil, "/e"},
		{"read", []string{"FROM debian", "ENV X=/e", "RUN read X < f; mkdir $X"}, nil, nil, unknown},
		{"eval", []string{"FROM debian", "ENV X=/e", "RUN eval \"$CMD\"; mkdir $X"}, nil, nil, unknown},
		{"source", []string{"FROM debian", "ENV X=/e", "RUN . /etc/profile; mkdir $X"}, nil, nil, unknown},
		{"unset", []string{"FROM debian", "ENV X=/e", "RUN unset X; mkdir /a$X"}, nil, nil, "/a"},
		{"loop variable", []string{"FROM debian", "RUN for X in /a /b; do mkdir $X; done"}, nil, nil, unknown},
		{"loop changes it later", []string{"FROM debian", "ENV X=/e", "RUN for f in 1 2; do mkdir $X; X=/b; done"}, nil, nil, unknown},
		{"assign default", []string{"FROM debian", "ENV X=/e", "RUN : ${X:=/z}; X=/q; echo ${Y:=/a}; mkdir $Y"}, nil, nil, unknown},
		{"local declare", []string{"FROM debian", "ENV X=/e", "RUN declare -i X=3; mkdir $X"}, nil, nil, unknown},
		// Nested shells see exported variables only.
		{"sh -c sees env", []string{"FROM debian", "ENV X=/e", "RUN sh -c 'mkdir $X'"}, nil, nil, "/e"},
		{"sh -c sees export", []string{"FROM debian", "RUN export X=/a; sh -c 'mkdir $X'"}, nil, nil, "/a"},
		{"sh -c does not see unexported", []string{"FROM debian", "RUN X=/a; sh -c 'mkdir $X'"}, nil, nil, unknown},
		{"sh -c prefix assignment", []string{"FROM debian", "RUN X=/a sh -c 'mkdir $X'"}, nil, nil, "/a"},
		{"sudo env assignment for sh -c", []string{"FROM debian", "RUN sudo env X=/a sh -c 'mkdir $X'"}, nil, nil, "/a"},
		{"sudo resets the environment", []string{"FROM debian", "ENV X=/e", "RUN sudo sh -c 'mkdir $X'"}, nil, nil, unknown},
		{"sudo -E keeps it", []string{"FROM debian", "ENV X=/e", "RUN sudo -E sh -c 'mkdir $X'"}, nil, nil, "/e"},
		{"sudo assignment after the reset", []string{"FROM debian", "ENV X=/e", "RUN sudo X=/a sh -c 'mkdir $X'"}, nil, nil, "/a"},
		{"su -c keeps the environment", []string{"FROM debian", "ENV X=/e", "RUN su app -c 'mkdir $X'"}, nil, nil, "/e"},
		{"su - starts a login shell", []string{"FROM debian", "ENV X=/e", "RUN su - app -c 'mkdir $X'"}, nil, nil, unknown},
		{"env -i sh -c", []string{"FROM debian", "ENV X=/e", "RUN env -i sh -c 'mkdir $X'"}, nil, nil, unknown},
		{"heredoc script", []string{"FROM debian", "ENV X=/e", "RUN <<EOF", "mkdir $X/h", "EOF"}, nil, nil, "/e/h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("Dockerfile", []byte(strings.Join(tt.lines, "\n")+"\n"), Options{BuildArgs: tt.buildArgs})
			if err != nil {
				t.Fatal(err)
			}
			var run *Instruction
			for _, in := range f.Instructions {
				if in.Keyword == "RUN" {
					run = in
				}
			}
			if run == nil || run.Script == nil || len(run.Script.Calls) == 0 {
				t.Fatal("no RUN calls")
			}
			var base func(string) (string, bool)
			if tt.base != nil {
				base = EnvLookup(tt.base)
			}
			c := run.Script.Calls[len(run.Script.Calls)-1]
			w := c.Args[len(c.Args)-1]
			got, ok := w.Resolve(run.ScriptVars(base))
			if !ok {
				got = unknown
			}
			if got != tt.want {
				t.Errorf("%s resolves to %q, want %q", w.Value, got, tt.want)
			}
		})
	}
}

// A word expanding a variable defined from itself over and over stays cheap
// and bounded: the values are cached and capped.
func TestWordResolveBounded(t *testing.T) {
	lines := []string{"FROM scratch", "ENV X=/a"}
	for range 40 {
		lines = append(lines, "ENV X=$X$X")
	}
	script := "RUN Y=/b"
	for range 40 {
		script += "; Y=$Y$Y"
	}
	lines = append(lines, script+"; mkdir $X $Y")
	f, err := Parse("Dockerfile", []byte(strings.Join(lines, "\n")+"\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	run := f.Instructions[len(f.Instructions)-1]
	vars := run.ScriptVars(nil)
	c := run.Script.Calls[len(run.Script.Calls)-1]
	for _, w := range c.Args {
		if v, ok := w.Resolve(vars); ok {
			t.Errorf("%s resolved to a value of %d bytes; want unknown (over the cap)", w.Value, len(v))
		}
	}
	if n := len(vars.defs) + len(vars.locs); n > 200 {
		t.Errorf("%d cached values for 80 definitions", n)
	}
}

// Commands that cannot change variables do not make them unknown.
func TestWordResolveKeepsVarsAcross(t *testing.T) {
	for _, script := range []string{
		"set -eux; X=/a; set -o pipefail; mkdir $X",
		"X=/a; for f in 1 2; do echo $f; export GOOS; make; done; mkdir $X",
		"X=/a; while true; do printf '%s' x; break; done; mkdir $X",
		"X=/a; echo ${Y:-b}; mkdir $X",
	} {
		_, run := runCalls(t, "FROM scratch", "RUN "+script)
		c := run.Script.Calls[len(run.Script.Calls)-1]
		if got, ok := c.Args[0].Resolve(run.ScriptVars(nil)); !ok || got != "/a" {
			t.Errorf("%s: got %q, %v; want /a", script, got, ok)
		}
	}
	for _, script := range []string{
		"X=/a; for f in 1 2; do read X; done; mkdir $X",
		"X=/a; for f in 1 2; do printf -v X '%s' b; done; mkdir $X",
		"X=/a; printf -v X '%s' b; mkdir $X",
		"X=/a; while true; do echo ${X:=/b}; done; mkdir $X",
	} {
		_, run := runCalls(t, "FROM scratch", "RUN "+script)
		c := run.Script.Calls[len(run.Script.Calls)-1]
		if got, ok := c.Args[0].Resolve(run.ScriptVars(nil)); ok {
			t.Errorf("%s: got %q; want unknown", script, got)
		}
	}
}

// FuzzWordResolve parses a Dockerfile and resolves every word of every
// call: no panic, and values stay within the cap.
func FuzzWordResolve(f *testing.F) {
	f.Add("FROM scratch\nENV A=/a B=$A/b\nARG C=${B:-x}\nRUN X=$C; export X; sudo env Y=$X sh -c 'cp $Y ${Y:+$X}/z' && unset X\n")
	f.Add("FROM debian\nENV A=\"$A$A\"\nRUN for i in 1; do A=$A$A; done; xargs -I{} cp {} $A; su - app -c \"rm $A\"\n")
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse("Dockerfile", []byte(src), Options{})
		if err != nil {
			return
		}
		for _, in := range file.Instructions {
			if in.Script == nil {
				continue
			}
			vars := in.ScriptVars(EnvLookup([]string{"PATH=/bin", "A=/base"}))
			for _, c := range in.Script.Calls {
				for _, a := range append(c.Args, envValues(c)...) {
					if v, ok := a.Resolve(vars); ok && len(v) > maxEnvValue && !a.Literal {
						t.Fatalf("%s resolved to %d bytes", a.Value, len(v))
					}
				}
			}
		}
	})
}

func envValues(c *Call) []Word {
	var out []Word
	for _, e := range c.Env {
		out = append(out, e.Value)
	}
	return out
}

// ExpandWith reads an instruction's word as BuildKit would, or says unknown.
func TestExpandWith(t *testing.T) {
	tests := []struct {
		lines []string
		word  string
		base  []string
		want  string
	}{
		{[]string{"FROM debian", "ENV A=/srv", "VOLUME $A/data"}, "$A/data", nil, "/srv/data"},
		{[]string{"FROM debian", "VOLUME $A/data"}, "$A/data", nil, "<unknown>"},
		{[]string{"FROM debian", "VOLUME $A/data"}, "$A/data", []string{"A=/base"}, "/base/data"},
		{[]string{"FROM debian", "VOLUME $A/data"}, "/x${A:-/d}", []string{"B=1"}, "/x/d"},
		{[]string{"FROM debian AS b", "ENV A=/b", "FROM b", "VOLUME \"$A\""}, `"$A"`, nil, "/b"},
		{[]string{"FROM debian", "ARG A=/a", "VOLUME $A", "ENV A=/later"}, "$A", nil, "/a"},
	}
	for _, tt := range tests {
		f, err := Parse("Dockerfile", []byte(strings.Join(tt.lines, "\n")+"\n"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var vol *Instruction
		for _, in := range f.Instructions {
			if in.Keyword == "VOLUME" {
				vol = in
			}
		}
		var base func(string) (string, bool)
		if tt.base != nil {
			base = EnvLookup(tt.base)
		}
		got, ok := vol.ExpandWith(tt.word, base)
		if !ok {
			got = "<unknown>"
		}
		if got != tt.want {
			t.Errorf("%q in %q: got %q, want %q", tt.word, tt.lines, got, tt.want)
		}
	}
}

// CommandEnv tells what a command sees in its environment (DV403 asks for
// PIP_NO_CACHE_DIR at a pip call).
func TestCommandEnv(t *testing.T) {
	const unknown, unset = "<unknown>", "<unset>"
	tests := []struct {
		lines []string
		want  string // of P at the last call
	}{
		{[]string{"FROM scratch", "RUN pip install x"}, unset},
		{[]string{"FROM debian", "RUN pip install x"}, unknown},
		{[]string{"FROM debian", "ENV P=1", "RUN pip install x"}, "1"},
		{[]string{"FROM debian", "ARG P=1", "RUN pip install x"}, "1"},
		{[]string{"FROM scratch", "RUN P=1 pip install x"}, "1"},
		{[]string{"FROM scratch", "RUN env P=1 pip install x"}, "1"},
		{[]string{"FROM scratch", "RUN sudo P=1 pip install x"}, "1"},
		{[]string{"FROM scratch", "RUN sudo env P= pip install x"}, ""},
		{[]string{"FROM debian", "ENV P=1", "RUN env -u P pip install x"}, unset},
		{[]string{"FROM debian", "ENV P=1", "RUN env -i pip install x"}, unknown},
		{[]string{"FROM debian", "ENV P=1", "RUN sudo pip install x"}, unknown},
		{[]string{"FROM debian", "ENV P=1", "RUN sudo -E pip install x"}, "1"},
		{[]string{"FROM scratch", "RUN export P=1 && pip install x"}, "1"},
		{[]string{"FROM scratch", "RUN P=1; pip install x"}, unset},
		{[]string{"FROM debian", "ENV P=1", "RUN P=; pip install x"}, ""},
		{[]string{"FROM debian", "RUN P=1; pip install x"}, unknown},
		{[]string{"FROM scratch", "RUN test -f y || export P=1; pip install x"}, unknown},
		{[]string{"FROM scratch", "RUN export P=1; unset P; pip install x"}, unset},
		{[]string{"FROM scratch", "ENV Q=2", "RUN P=$Q pip install x"}, "2"},
	}
	for _, tt := range tests {
		_, run := runCalls(t, tt.lines...)
		c := run.Script.Calls[len(run.Script.Calls)-1]
		v, set, known := run.ScriptVars(nil).CommandEnv(c, "P")
		got := v
		switch {
		case !known:
			got = unknown
		case !set:
			got = unset
		}
		if got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.lines, got, tt.want)
		}
	}
}

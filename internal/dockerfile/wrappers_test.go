package dockerfile

import (
	"strings"
	"testing"
)

// runCalls parses `FROM scratch` + lines and returns the calls of the last RUN.
func runCalls(t *testing.T, lines ...string) (*File, *Instruction) {
	t.Helper()
	f, err := Parse("Dockerfile", []byte(strings.Join(lines, "\n")+"\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var run *Instruction
	for _, in := range f.Instructions {
		if in.Keyword == "RUN" {
			run = in
		}
	}
	if run == nil || run.Script == nil || run.Script.Err != nil {
		t.Fatalf("no parsed RUN in %q", lines)
	}
	return f, run
}

// describeCall renders what a rule sees of a call: name, arguments, the
// environment it sets, and flags.
func describeCall(c *Call) string {
	var b strings.Builder
	b.WriteString(c.Name)
	for _, a := range c.Args {
		b.WriteString(" " + a.Value)
		if !a.Literal {
			b.WriteString("(?)")
		}
	}
	for _, e := range c.Env {
		if e.Unset {
			b.WriteString(" [-" + e.Name + "]")
		} else {
			b.WriteString(" [" + e.Name + "=" + e.Value.Value + "]")
		}
	}
	if c.ClearEnv {
		b.WriteString(" [clear]")
	}
	if c.Dir != nil {
		b.WriteString(" [dir=" + c.Dir.Value + "]")
	}
	if c.Conditional {
		b.WriteString(" [cond]")
	}
	return b.String()
}

func TestUnwrapWrappers(t *testing.T) {
	tests := []struct {
		script string
		want   string // describeCall of the first call
	}{
		{"apt-get install -y curl", "apt-get install -y curl"},
		{"sudo apt-get install -y curl", "apt-get install -y curl [clear]"},
		{"sudo -E apt-get install curl", "apt-get install curl"},
		{"sudo --preserve-env apt-get install curl", "apt-get install curl"},
		{"sudo --preserve-env=HOME apt-get install curl", "apt-get install curl [clear]"},
		{"sudo -E -u app pip install x", "pip install x"},
		{"sudo -u app -g grp -- pip install x", "pip install x [clear]"},
		{"sudo -u ${USERNAME} npm install -g x", "npm install -g x [clear]"},
		{`sudo -u "$U" -- npm install -g x`, "npm install -g x [clear]"},
		{"sudo --user ${USERNAME} npm install -g x", "npm install -g x [clear]"},
		{"env -C $DIR cmd", "cmd [dir=$DIR]"},
		{"timeout $T rm /x", "rm /x"},
		{"sudo --user=app pip install x", "pip install x [clear]"},
		{"sudo --user app pip install x", "pip install x [clear]"},
		{"sudo PIP_NO_CACHE_DIR=1 pip install x", "pip install x [PIP_NO_CACHE_DIR=1] [clear]"},
		{"sudo -E DEBIAN_FRONTEND=noninteractive apt-get install x", "apt-get install x [DEBIAN_FRONTEND=noninteractive]"},
		{"sudo env PIP_NO_CACHE_DIR=1 pip install x", "pip install x [PIP_NO_CACHE_DIR=1] [clear]"},
		{"env PIP_NO_CACHE_DIR=1 pip install x", "pip install x [PIP_NO_CACHE_DIR=1]"},
		{"PIP_NO_CACHE_DIR=1 pip install x", "pip install x [PIP_NO_CACHE_DIR=1]"},
		{"A=1 env -i B=2 cmd", "cmd [B=2] [clear]"},
		{"env - B=2 cmd", "cmd [B=2] [clear]"},
		{"env -u X cmd", "cmd [-X]"},
		{"env --unset=X cmd", "cmd [-X]"},
		{"env -C /srv cmd a", "cmd a [dir=/srv]"},
		{"env --chdir=/srv cmd", "cmd [dir=/srv]"},
		{"env -C /srv env -C sub cmd", "cmd [dir=]"},
		{"env -C /srv env -C /abs cmd", "cmd [dir=/abs]"},
		{"sudo -D /srv cmd", "cmd [clear] [dir=/srv]"},
		{"sudo -i cmd", "cmd [clear] [dir=]"},
		{"command -p rm -rf /x", "rm -rf /x"},
		{"command -v rm", "command -v rm"},
		{"exec -a name rm /x", "rm /x"},
		{"nice -n 10 rm /x", "rm /x"},
		{"nice -n10 rm /x", "rm /x"},
		{"nice --adjustment=10 rm /x", "rm /x"},
		{"nice -10 rm /x", "rm /x"},
		{"nohup rm /x", "rm /x"},
		{"time -p rm /x", "rm /x"},
		{"xargs rm -f", "rm -f"},
		{"xargs -r -n1 rm -f", "rm -f [cond]"},
		{"xargs -n 1 rm -f", "rm -f"},
		{"xargs -0 -P 4 -n 1 rm -f", "rm -f"},
		{"xargs -I{} cp {} /dst/", "cp {}(?) /dst/"},
		{"xargs -I % cp %.txt /dst/", "cp %.txt(?) /dst/"},
		{"xargs -i cp {} /dst/", "cp {}(?) /dst/"},
		{"timeout 10 rm /x", "rm /x"},
		{"timeout -s KILL 10 rm /x", "rm /x"},
		{"timeout --signal=KILL -k 5 10s rm /x", "rm /x"},
		{"stdbuf -oL rm /x", "rm /x"},
		{"stdbuf -o L rm /x", "rm /x"},
		{"ionice -c 3 rm /x", "rm /x"},
		{"ionice -p 1", "ionice -p 1"},
		{"chrt -f 10 rm /x", "rm /x"},
		{"taskset -c 0,1 rm /x", "rm /x"},
		{"eatmydata apt-get install x", "apt-get install x"},
		{"gosu app rm /x", "rm /x"},
		{"su-exec app:app rm /x", "rm /x"},
		{"doas -u app rm /x", "rm /x"},
		{"sudo env X=1 nice -n 5 rm /x", "rm /x [X=1] [clear]"},
		{"sudo -E env -u Y X=1 nohup timeout 5 rm /x", "rm /x [-Y] [X=1]"},
		// Not transparent, or no command: the wrapper is the command.
		{"sudo -R /newroot rm /x", "sudo -R /newroot rm /x"},
		{"sudo -l", "sudo -l"},
		{"sudo -e /etc/hosts", "sudo -e /etc/hosts"},
		{"env", "env"},
		{"env A=1", "env A=1 [A=1]"},
		{"sudo env", "env [clear]"},
		{"env -S 'rm /x'", "env -S rm /x"},
		{"exec", "exec"},
		{"sudo $CMD /x", " /x [clear]"},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			_, in := runCalls(t, "FROM scratch", "RUN "+tt.script)
			if got := describeCall(in.Script.Calls[0]); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A wrapper's script argument is parsed like sh -c's.
func TestWrappedShellScripts(t *testing.T) {
	tests := []struct{ script, want string }{
		{`sudo sh -c 'rm -rf /x'`, "sh -c rm -rf /x [clear]|rm -rf /x"},
		{`sudo -u app bash -c "rm /x"`, "bash -c rm /x [clear]|rm /x"},
		{`su -c 'rm /x' app`, "su -c rm /x app|rm /x"},
		{`su app -c "rm /x"`, "su app -c rm /x|rm /x"},
		{`su - app --command 'rm /x'`, "su - app --command rm /x|rm /x [dir=]"},
		{`su -s /bin/sh app`, "su -s /bin/sh app"},
		{`env -C /srv sh -c 'rm x'`, "sh -c rm x [dir=/srv]|rm x [dir=/srv]"},
		{`su - app -c 'rm x'`, "su - app -c rm x|rm x [dir=]"},
		{`su app -c 'rm x'`, "su app -c rm x|rm x"},
		{`sudo -i sh -c 'cd /a; rm x'`, "sh -c cd /a; rm x [clear] [dir=]|cd /a [dir=]|rm x [dir=]"},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			_, in := runCalls(t, "FROM scratch", "RUN "+tt.script)
			var got []string
			for _, c := range in.Script.Calls {
				got = append(got, describeCall(c))
			}
			if g := strings.Join(got, "|"); g != tt.want {
				t.Errorf("got  %q\nwant %q", g, tt.want)
			}
		})
	}
}

// The NameRange points at the wrapped command, the Range spans the wrappers.
func TestUnwrapRanges(t *testing.T) {
	f, in := runCalls(t, "FROM scratch", "RUN A=1 sudo -E nice -n 5 rm /x")
	c := in.Script.Calls[0]
	if got := rangeText(f.Lines, c.NameRange); got != "rm" {
		t.Errorf("NameRange covers %q", got)
	}
	if got := rangeText(f.Lines, c.Range); got != "A=1 sudo -E nice -n 5 rm /x" {
		t.Errorf("Range covers %q", got)
	}
}

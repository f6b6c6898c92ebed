package rules

import (
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

// Issue 7 item 5: command wrappers (sudo with its options and assignments,
// env, nice, xargs, timeout...) must not hide the command from RUN rules.
// Each case is a RUN line; the rule must report it (or stay silent) exactly
// as it does for the bare command.
func TestRulesSeeThroughWrappers(t *testing.T) {
	wrappers := []string{
		"",
		"sudo ",
		"sudo -E ",
		"sudo -u root ",
		"sudo -E -u root -- ",
		"sudo DEBIAN_FRONTEND=noninteractive ",
		"sudo env DEBIAN_FRONTEND=noninteractive ",
		"sudo -E env -u HTTP_PROXY ",
		"env -i PATH=/usr/bin:/bin ",
		"env DEBIAN_FRONTEND=noninteractive ",
		"nice -n 5 ",
		"nice -n5 ionice -c 3 ",
		"nohup ",
		"timeout -s KILL 600 ",
		"command -p ",
		"exec -a installer ",
		"stdbuf -oL ",
		"time -p ",
		"eatmydata ",
		"sudo env X=1 nice -n 5 ",
	}
	tests := []struct {
		name string
		rule *rule.Rule
		pre  string // Dockerfile lines before the RUN
		cmd  string // the wrapped command; the RUN is pre + "RUN " + wrapper + cmd
		want int    // findings
	}{
		{"DV400 apt-get install without removing the lists", AptListsNotRemoved, "FROM debian:12\n",
			"apt-get install -y curl", 1},
		{"DV400 with the lists removed", AptListsNotRemoved, "FROM debian:12\n",
			"apt-get install -y curl && rm -rf /var/lib/apt/lists/*", 0},
		{"DV403 pip install without --no-cache-dir", PackageCacheLeft, "FROM python:3.12\n",
			"pip install flask", 1},
		{"DV403 pip install --no-cache-dir", PackageCacheLeft, "FROM python:3.12\n",
			"pip install --no-cache-dir flask", 0},
		{"DV403 apk add without --no-cache", PackageCacheLeft, "FROM alpine:3\n",
			"apk add curl", 1},
		{"DV404 rm of an earlier COPY", RemovedInLaterLayer, "FROM debian:12\nCOPY big.run /tmp/big.run\n",
			"rm -f /tmp/big.run", 1},
		{"DV404 rm of an earlier download", RemovedInLaterLayer, "FROM debian:12\nRUN curl -fsSLo /tmp/x.tgz https://example.com/x.tgz\n",
			"rm /tmp/x.tgz", 1},
	}
	for _, tt := range tests {
		for _, w := range wrappers {
			t.Run(tt.name+"/"+strings.TrimSpace(w), func(t *testing.T) {
				src := tt.pre + "RUN " + w + tt.cmd + "\n"
				ds := ruletest.Run(t, tt.rule, src, dockerfile.Options{})
				if len(ds) != tt.want {
					t.Errorf("%q: %d findings, want %d\n%v", src, len(ds), tt.want, ruletest.Lines(ds))
				}
			})
		}
	}
}

// The downloads and copies that DV404 (and DV101) track are seen through
// wrappers too, on the adding side.
func TestAdditionsThroughWrappers(t *testing.T) {
	for _, add := range []string{
		"sudo curl -fsSLo /tmp/x.tgz https://example.com/x.tgz",
		"sudo -u app wget -O /tmp/x.tgz https://example.com/x.tgz",
		"sudo PROXY=1 cp /src/x.tgz /tmp/x.tgz",
		"env -i HOME=/root curl -o /tmp/x.tgz https://example.com/x.tgz",
		"timeout 60 curl -o /tmp/x.tgz https://example.com/x.tgz",
		"nice -n 10 tar -xzf /src/x.tar.gz -C /tmp/x.tgz",
		"env -C /tmp curl -o x.tgz https://example.com/x.tgz",
	} {
		t.Run(add, func(t *testing.T) {
			src := "FROM debian:12\nRUN " + add + "\nRUN rm /tmp/x.tgz\n"
			if ds := ruletest.Run(t, RemovedInLaterLayer, src, dockerfile.Options{}); len(ds) != 1 {
				t.Errorf("%d findings, want 1\n%v", len(ds), ruletest.Lines(ds))
			}
		})
	}
}

// DV403 reads PIP_NO_CACHE_DIR set by a wrapper like a prefix assignment.
func TestPipNoCacheDirThroughWrappers(t *testing.T) {
	for _, run := range []string{
		"PIP_NO_CACHE_DIR=1 pip install flask",
		"sudo PIP_NO_CACHE_DIR=1 pip install flask",
		"sudo -E PIP_NO_CACHE_DIR=1 pip install flask",
		"env PIP_NO_CACHE_DIR=1 pip install flask",
		"sudo env PIP_NO_CACHE_DIR=1 pip install flask",
		"sudo -u app env -u X PIP_NO_CACHE_DIR=1 nice -n 5 pip install flask",
	} {
		t.Run(run, func(t *testing.T) {
			src := "FROM python:3.12\nRUN " + run + "\n"
			if ds := ruletest.Run(t, PackageCacheLeft, src, dockerfile.Options{}); len(ds) != 0 {
				t.Errorf("want no finding\n%v", ruletest.Lines(ds))
			}
		})
	}
}

// xargs runs its command (DV403 for `... | xargs pip install`), but with -r
// it may not run at all, and with -I its words come from the input.
func TestXargs(t *testing.T) {
	tests := []struct {
		rule *rule.Rule
		src  string
		want int
	}{
		{PackageCacheLeft, "FROM python:3.12\nRUN cat requirements.txt | xargs -n1 pip install\n", 1},
		{AptListsNotRemoved, "FROM debian:12\nRUN cat pkgs.txt | xargs apt-get install -y\n", 1},
		{RemovedInLaterLayer, "FROM debian:12\nCOPY big.run /tmp/big.run\nRUN echo /tmp/big.run | xargs rm -f /tmp/big.run\n", 1},
		{RemovedInLaterLayer, "FROM debian:12\nCOPY big.run /tmp/big.run\nRUN echo x | xargs -r rm -f /tmp/big.run\n", 0},
		{RemovedInLaterLayer, "FROM debian:12\nCOPY big.run /tmp/{}\nRUN ls /tmp | xargs -I{} rm -f /tmp/{}\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			if ds := ruletest.Run(t, tt.rule, tt.src, dockerfile.Options{}); len(ds) != tt.want {
				t.Errorf("%d findings, want %d\n%v", len(ds), tt.want, ruletest.Lines(ds))
			}
		})
	}
}

// A wrapper's working directory applies to its command and to the commands
// of a shell it starts; a login shell (su -) starts in the user's home.
func TestWrapperWorkingDirectory(t *testing.T) {
	tests := []struct {
		run  string
		want int
	}{
		{"RUN rm a.tgz", 1},
		{"RUN env -C /w rm a.tgz", 1},
		{"RUN env -C /w sh -c 'rm a.tgz'", 1},
		{"RUN env -C /elsewhere rm a.tgz", 0},
		{"RUN env -C /elsewhere sh -c 'rm a.tgz'", 0},
		{"RUN su app -c 'rm a.tgz'", 1},
		{"RUN su - app -c 'rm a.tgz'", 0},
		{"RUN sudo -i rm a.tgz", 0},
		{"RUN su - app -c 'rm /w/a.tgz'", 1},
	}
	for _, tt := range tests {
		t.Run(tt.run, func(t *testing.T) {
			src := "FROM debian:12\nWORKDIR /w\nCOPY a.tgz /w/a.tgz\n" + tt.run + "\n"
			if ds := ruletest.Run(t, RemovedInLaterLayer, src, dockerfile.Options{}); len(ds) != tt.want {
				t.Errorf("%d findings, want %d\n%v", len(ds), tt.want, ruletest.Lines(ds))
			}
		})
	}
}

//go:build integration

package integration

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Dockerfiles use HOST for the registry's 127.0.0.1:PORT (see writeContext).

// Case 1: a base with VOLUME /var/lib/data, no user (root) and a shell-form
// CMD; the Dockerfile copies into the volume.
func TestLintRootVolumeShellBase(t *testing.T) {
	hh := h(t)
	dir := hh.writeContext(t, map[string]string{
		"Dockerfile": "FROM HOST/team/base:1.0\nCOPY seed.txt /var/lib/data/seed.txt\n",
		"seed.txt":   "seed\n",
	})

	r := hh.dockvet(t, runOpts{dir: dir}, "lint", "-f", "json", "Dockerfile")
	rep := parseReport(t, r)
	requireResolved(t, rep, r)
	requireFinding(t, rep, "DV102", 1, "/var/lib/data")
	requireFinding(t, rep, "DV101", 1, "/var/lib/data")
	requireFinding(t, rep, "DV302", 1, "root")
	requireFinding(t, rep, "DV300", 1, "run-server")
	requireExit(t, r, 1)

	// The same in the default text format.
	r = hh.dockvet(t, runOpts{dir: dir}, "lint", "Dockerfile")
	requireExit(t, r, 1)
	for _, re := range []string{
		`(?m)^Dockerfile:1:\d+: warning\[DV102 inherited-volume\]: .*/var/lib/data`,
		`(?m)^Dockerfile:1:\d+: error\[DV101 volume-over-image-data\]: .*/var/lib/data`,
		`(?m)^Dockerfile:1:\d+: warning\[DV302 root-user\]: `,
		`(?m)^Dockerfile:1:\d+: warning\[DV300 shell-form-cmd\]: .*run-server`,
		`(?m)^\d+ findings? \(`,
	} {
		if !regexp.MustCompile(re).MatchString(r.stdout) {
			t.Errorf("text output does not match %s\n%s", re, r)
		}
	}
	if strings.Contains(r.stdout, "DV001") {
		t.Errorf("text output has a DV001:\n%s", r)
	}
}

// Case 1, variants: how the base is named, and what the Dockerfile overrides.
func TestLintRootVolumeShellBaseVariants(t *testing.T) {
	hh := h(t)
	for _, c := range []struct {
		name       string
		dockerfile string
		args       []string
		line       int
		want, not  []string
	}{
		{
			name:       "no data in the volume",
			dockerfile: "FROM HOST/team/base:1.0\nCOPY seed.txt /opt/seed.txt\n",
			line:       1,
			want:       []string{"DV102", "DV302", "DV300"},
			not:        []string{"DV101"},
		},
		{
			name:       "pinned by digest",
			dockerfile: "FROM HOST/team/base@" + hh.digests[repoBase] + "\nCOPY seed.txt /var/lib/data/\n",
			line:       1,
			want:       []string{"DV102", "DV101", "DV302", "DV300"},
		},
		{
			name:       "tag and digest",
			dockerfile: "FROM HOST/team/base:1.0@" + hh.digests[repoBase] + "\n",
			line:       1,
			want:       []string{"DV102", "DV302", "DV300"},
		},
		{
			name:       "registry from a build arg",
			dockerfile: "ARG REGISTRY=registry.invalid\nFROM ${REGISTRY}/team/base:1.0\n",
			args:       []string{"--build-arg", "REGISTRY=HOST"},
			line:       2,
			want:       []string{"DV102", "DV302", "DV300"},
		},
		{
			name:       "USER and exec CMD override the base",
			dockerfile: "FROM HOST/team/base:1.0\nUSER 10001\nCMD [\"/usr/local/bin/run-server\"]\n",
			line:       1,
			want:       []string{"DV102"},
			not:        []string{"DV302", "DV300", "DV101"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := hh.writeContext(t, map[string]string{"Dockerfile": c.dockerfile, "seed.txt": "seed\n"})
			args := []string{"lint", "-f", "json"}
			for _, a := range c.args {
				args = append(args, strings.ReplaceAll(a, "HOST", hh.host))
			}
			r := hh.dockvet(t, runOpts{dir: dir}, append(args, "Dockerfile")...)
			rep := parseReport(t, r)
			requireResolved(t, rep, r)
			for _, rule := range c.want {
				requireFinding(t, rep, rule, c.line)
			}
			requireNoFinding(t, rep, c.not...)
		})
	}
}

// Case 2: a non-root base with an exec-form CMD and no volumes.
func TestLintNonrootBase(t *testing.T) {
	hh := h(t)
	dir := hh.writeContext(t, map[string]string{
		"Dockerfile":  "FROM HOST/team/nonroot:1.0\nCOPY config.yaml /app/config.yaml\n",
		"config.yaml": "port: 8080\n",
	})
	for _, format := range []string{"json", "text"} {
		r := hh.dockvet(t, runOpts{dir: dir}, "lint", "-f", format, "Dockerfile")
		if format == "json" {
			rep := parseReport(t, r)
			requireResolved(t, rep, r)
			requireNoFinding(t, rep, "DV302", "DV300", "DV301", "DV102", "DV101")
		} else if strings.Contains(r.stdout, "DV302") || strings.Contains(r.stdout, "DV300") || strings.Contains(r.stdout, "DV001") {
			t.Errorf("text output:\n%s", r)
		}
		requireExit(t, r, 0)
	}
}

// Case 3: wrong or missing credentials give a DV001 that says
// "unauthorized"; DV001 is info, so the default --fail-on warning passes.
func TestLintUnauthorized(t *testing.T) {
	hh := h(t)
	dir := hh.writeContext(t, map[string]string{
		"Dockerfile": "FROM HOST/team/nonroot:1.0\nUSER 65532\nCMD [\"/app/server\"]\n",
	})
	for _, c := range []struct{ name, config string }{
		{"wrong password", hh.wrongConfig},
		{"no credentials", hh.emptyConfig},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := hh.dockvet(t, runOpts{dir: dir, dockerConfig: c.config}, "lint", "-f", "json", "Dockerfile")
			rep := parseReport(t, r)
			f := requireFinding(t, rep, "DV001", 1, "unauthorized")
			if f.Rule != "" {
				t.Logf("%s", f)
			}
			if strings.Contains(f.Message, "offline") {
				t.Errorf("%s\n%s", stubHint, f)
			}
			if len(rep.Findings) != 1 {
				t.Errorf("want only the DV001, got:\n%s", rep)
			}
			requireExit(t, r, 0)
			if r.dur > 15*time.Second {
				t.Errorf("a 401 took %v: it must not be retried until the deadline", r.dur)
			}

			r = hh.dockvet(t, runOpts{dir: dir, dockerConfig: c.config}, "lint", "--fail-on", "info", "Dockerfile")
			requireExit(t, r, 1)
			if !regexp.MustCompile(`(?m)^Dockerfile:1:\d+: info\[DV001 base-image-unresolved\]: .*unauthorized`).MatchString(r.stdout) {
				t.Errorf("text output lacks the DV001 unauthorized line\n%s", r)
			}
		})
	}
}

// Case 4: a tag or repository that does not exist.
func TestLintNotFound(t *testing.T) {
	hh := h(t)
	for _, c := range []struct{ name, from string }{
		{"missing tag", "HOST/team/base:9.9.9"},
		{"missing repository", "HOST/team/nope:1.0"},
		{"missing digest", "HOST/team/base@sha256:" + strings.Repeat("ab", 32)},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := hh.writeContext(t, map[string]string{"Dockerfile": "FROM " + c.from + "\nUSER 65532\nCMD [\"/app\"]\n"})
			r := hh.dockvet(t, runOpts{dir: dir}, "lint", "-f", "json", "Dockerfile")
			rep := parseReport(t, r)
			f := requireFinding(t, rep, "DV001", 1, "not found")
			if f.Rule != "" {
				t.Logf("%s", f)
			}
			if strings.Contains(f.Message, "offline") {
				t.Errorf("%s\n%s", stubHint, f)
			}
			requireExit(t, r, 0)
		})
	}
}

// Case 5: --platform (and FROM --platform) pick the index child.
func TestLintPlatform(t *testing.T) {
	hh := h(t)
	plain := hh.writeContext(t, map[string]string{"Dockerfile": "FROM HOST/team/multi:1.0\n"})
	pinned := hh.writeContext(t, map[string]string{"Dockerfile": "FROM --platform=linux/arm64 HOST/team/multi:1.0\n"})

	amd64 := func(t *testing.T, rep jsonReport) {
		requireFinding(t, rep, "DV102", 1, "/data/amd64")
		requireNoFinding(t, rep, "DV302", "DV300")
		for _, f := range rep.find("DV102") {
			if strings.Contains(f.Message, "arm64") {
				t.Errorf("amd64 run reports the arm64 child's volume: %s", f)
			}
		}
	}
	arm64 := func(t *testing.T, rep jsonReport) {
		requireFinding(t, rep, "DV102", 1, "/data/arm64")
		requireFinding(t, rep, "DV302", 1)
		requireFinding(t, rep, "DV300", 1, "serve-arm64")
		for _, f := range rep.find("DV102") {
			if strings.Contains(f.Message, "amd64") {
				t.Errorf("arm64 run reports the amd64 child's volume: %s", f)
			}
		}
	}
	for _, c := range []struct {
		name  string
		dir   string
		args  []string
		check func(*testing.T, jsonReport)
	}{
		{"default is linux/amd64", plain, nil, amd64},
		{"--platform linux/amd64", plain, []string{"--platform", "linux/amd64"}, amd64},
		{"--platform linux/arm64", plain, []string{"--platform", "linux/arm64"}, arm64},
		{"--platform linux/arm64/v8", plain, []string{"--platform", "linux/arm64/v8"}, arm64},
		{"FROM --platform=linux/arm64", pinned, nil, arm64},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string{"lint", "-f", "json"}, c.args...), "Dockerfile")
			r := hh.dockvet(t, runOpts{dir: c.dir}, args...)
			rep := parseReport(t, r)
			requireResolved(t, rep, r)
			c.check(t, rep)
		})
	}
	t.Run("no such platform", func(t *testing.T) {
		r := hh.dockvet(t, runOpts{dir: plain}, "lint", "-f", "json", "--platform", "linux/s390x", "Dockerfile")
		rep := parseReport(t, r)
		f := requireFinding(t, rep, "DV001", 1, "no such platform", "s390x")
		if f.Rule != "" {
			t.Logf("%s", f)
		}
		if strings.Contains(f.Message, "offline") {
			t.Errorf("%s\n%s", stubHint, f)
		}
	})
}

// Case 6: a warm cache answers without a single request, even with the
// registry stopped; a cold cache with the registry stopped gives DV001
// "unreachable" quickly.
func TestLintWarmCache(t *testing.T) {
	hh := h(t)
	dir := hh.writeContext(t, map[string]string{
		"Dockerfile": "FROM HOST/team/base:1.0\nCOPY seed.txt /var/lib/data/seed.txt\n",
		"seed.txt":   "seed\n",
	})
	cache := t.TempDir()
	args := []string{"lint", "-f", "json", "Dockerfile"}

	before := len(hh.reg.requests())
	cold := hh.dockvet(t, runOpts{dir: dir, cacheDir: cache}, args...)
	coldRep := parseReport(t, cold)
	requireResolved(t, coldRep, cold)
	coldReqs := hh.reg.requests()[before:]
	if len(coldReqs) == 0 {
		t.Fatalf("the cold run made no request to the registry\n%s", cold)
	}
	for _, e := range coldReqs {
		if strings.Contains(e.Path, "/blobs/") && hh.layers[e.Path[strings.LastIndex(e.Path, "/")+1:]] {
			t.Errorf("the cold run fetched a layer (only manifests and configs may be): %s %s", e.Method, e.Path)
		}
	}
	t.Logf("cold run: %d requests: %v", len(coldReqs), coldReqs)

	before = len(hh.reg.requests())
	warm := hh.dockvet(t, runOpts{dir: dir, cacheDir: cache}, args...)
	if got := hh.reg.requests()[before:]; len(got) != 0 {
		t.Errorf("the warm run made %d requests, want 0: %v", len(got), got)
	}
	sameFindings(t, "warm run", coldRep, parseReport(t, warm))
	requireExit(t, warm, cold.code)

	// --offline with a warm cache: still no request.
	before = len(hh.reg.requests())
	off := hh.dockvet(t, runOpts{dir: dir, cacheDir: cache}, "lint", "-f", "json", "--offline", "Dockerfile")
	if got := hh.reg.requests()[before:]; len(got) != 0 {
		t.Errorf("--offline made %d requests, want 0: %v", len(got), got)
	}
	parseReport(t, off)

	// Registry stopped.
	stopped := true
	if err := hh.reg.stop(); err != nil {
		t.Fatalf("stop registry: %v", err)
	}
	t.Cleanup(func() {
		if stopped {
			hh.restartRegistry(t)
		}
	})
	down := hh.dockvet(t, runOpts{dir: dir, cacheDir: cache}, args...)
	sameFindings(t, "run with the registry stopped and a warm cache", coldRep, parseReport(t, down))
	requireExit(t, down, cold.code)

	unreach := hh.dockvet(t, runOpts{dir: dir}, "lint", "-f", "json", "--registry-timeout", "5s", "Dockerfile")
	rep := parseReport(t, unreach)
	f := requireFinding(t, rep, "DV001", 1)
	if f.Rule != "" {
		t.Logf("%s", f)
	}
	if strings.Contains(f.Message, "offline") {
		t.Errorf("%s\n%s", stubHint, f)
	} else if !strings.Contains(f.Message, "unreachable") && !strings.Contains(f.Message, "timeout") {
		t.Errorf("DV001 with the registry stopped: %q, want the reason unreachable", f.Message)
	}
	if unreach.dur > 20*time.Second {
		t.Errorf("the run against a stopped registry took %v with --registry-timeout 5s", unreach.dur)
	}

	hh.restartRegistry(t)
	stopped = false
}

func sameFindings(t *testing.T, what string, want, got jsonReport) {
	t.Helper()
	key := func(rep jsonReport) []string {
		var out []string
		for _, f := range rep.Findings {
			out = append(out, fmt.Sprintf("%s %d:%d %s", f.Rule, f.Line, f.Column, f.Message))
		}
		return out
	}
	if w, g := key(want), key(got); !slices.Equal(w, g) {
		t.Errorf("%s: findings differ from the cold run\nwant:\n%s\ngot:\n%s", what, want, got)
	}
}

// --offline and DOCKVET_OFFLINE=1 never contact the registry.
func TestLintOfflineMakesNoRequests(t *testing.T) {
	hh := h(t)
	dir := hh.writeContext(t, map[string]string{"Dockerfile": "FROM HOST/team/base:1.0\n"})
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{"--offline", nil, []string{"--offline"}},
		{"DOCKVET_OFFLINE=1", []string{"DOCKVET_OFFLINE=1"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(hh.reg.requests())
			args := append(append([]string{"lint", "-f", "json"}, c.args...), "Dockerfile")
			r := hh.dockvet(t, runOpts{dir: dir, env: c.env}, args...)
			rep := parseReport(t, r)
			// Offline by choice: no DV001 per FROM, one stderr line, and
			// DV302 on the unknown base is info.
			requireNoFinding(t, rep, "DV001")
			if f := requireFinding(t, rep, "DV302", 1, "offline"); f.Severity != "info" {
				t.Errorf("DV302 on an unknown base is %s, want info", f.Severity)
			}
			if !strings.Contains(r.stderr, "1 base image was not checked (offline") {
				t.Errorf("stderr lacks the offline line:\n%s", r)
			}
			if got := hh.reg.requests()[before:]; len(got) != 0 {
				t.Errorf("offline run made %d requests: %v", len(got), got)
			}
		})
	}
}

// Without the test CA, TLS verification fails: DV001, not a crash, not a
// fallback that reads the image anyway.
func TestLintUntrustedCertificate(t *testing.T) {
	hh := h(t)
	dir := hh.writeContext(t, map[string]string{"Dockerfile": "FROM HOST/team/base:1.0\n"})
	r := hh.dockvet(t, runOpts{dir: dir, noCA: true}, "lint", "-f", "json", "--registry-timeout", "10s", "Dockerfile")
	rep := parseReport(t, r)
	f := requireFinding(t, rep, "DV001", 1)
	if strings.Contains(f.Message, "offline") {
		t.Errorf("%s\n%s", stubHint, f)
	}
	// The registry speaks TLS: no plain-HTTP fallback, and the reason names
	// the certificate rather than the HTTP 400 such a fallback would get.
	if !strings.Contains(f.Message, "certificate") || strings.Contains(f.Message, "HTTP 400") {
		t.Errorf("DV001 should name the untrusted certificate: %s", f)
	}
	requireNoFinding(t, rep, "DV102", "DV300")
	if r.dur > 30*time.Second {
		t.Errorf("took %v", r.dur)
	}
}

// Each distinct reference is fetched once per run, however many
// Dockerfiles name it.
func TestLintOneFetchPerReference(t *testing.T) {
	hh := h(t)
	dir := hh.writeContext(t, map[string]string{
		"Dockerfile":      "FROM HOST/team/base:1.0\n",
		"Dockerfile.alt":  "FROM HOST/team/base:1.0\nUSER 1000\n",
		"svc/Dockerfile":  "FROM HOST/team/nonroot:1.0\n",
		"svc2/Dockerfile": "FROM HOST/team/nonroot:1.0\nCOPY x /x\n",
	})
	before := len(hh.reg.requests())
	r := hh.dockvet(t, runOpts{dir: dir}, "lint", "-f", "json", ".")
	rep := parseReport(t, r)
	requireResolved(t, rep, r)
	if n := len(rep.find("DV102")); n != 2 {
		t.Errorf("want DV102 in both Dockerfiles FROM team/base, got %d:\n%s", n, rep)
	}
	reqs := hh.reg.requests()[before:]
	counts := map[string]int{}
	for _, e := range reqs {
		if e.Method == "GET" && (strings.Contains(e.Path, "/manifests/") || strings.Contains(e.Path, "/blobs/")) {
			counts[e.Path]++
		}
	}
	for p, n := range counts {
		if n > 1 {
			t.Errorf("GET %s %d times in one run, want once", p, n)
		}
	}
	t.Logf("%d requests: %v", len(reqs), reqs)
}

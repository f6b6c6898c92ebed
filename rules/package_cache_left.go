package rules

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
)

// PackageCacheLeft is DV403.
var PackageCacheLeft = &rule.Rule{
	ID:       "DV403",
	Name:     "package-cache-left",
	Severity: finding.SeverityInfo,
	Summary:  "apk, yum/dnf/microdnf/tdnf/zypper, pip or npm leaves its download cache in the layer",
	Doc: `Package managers keep what they download: apk its index in /var/cache/apk, yum,
dnf, microdnf, tdnf and zypper their metadata and packages in /var/cache, pip its
wheels in ~/.cache/pip, npm its tarballs in ~/.npm. Inside an image build that
cache is never used again, but the layer of the RUN that filled it keeps it
forever, often tens or hundreds of megabytes.

Keep the cache out of the layer in the same RUN:
  apk add --no-cache ...
  dnf install -y ... && dnf clean all          (yum, microdnf, tdnf alike)
  zypper install -y ... && zypper clean --all
  pip install --no-cache-dir ...               (or ENV PIP_NO_CACHE_DIR=1)
  npm ci && npm cache clean --force
or mount the cache directory with RUN --mount=type=cache,target=... (which also
speeds up rebuilds). A cleanup in a later RUN does not help: the earlier layer
keeps the bytes. Only the final image is judged (the target stage and the stages
it is built FROM); apt is covered by apt-lists-not-removed (DV400).`,
	Bad: `FROM python:3.12-alpine
RUN apk add build-base
RUN pip install -r requirements.txt`,
	Good: `FROM python:3.12-alpine
RUN apk add --no-cache build-base
RUN pip install --no-cache-dir -r requirements.txt`,
	Check:      checkPackageCacheLeft,
	CheckImage: historyCheck(checkPackageCacheLeft, "; image history does not record RUN --mount, so if this RUN kept the cache in a cache mount, nothing was left behind"),
}

// cacheUse is a package-manager call that fills a cache.
type cacheUse struct {
	call *dockerfile.Call
	rng  source.Range
	verb string // "apk add"
}

// pkgManager describes how one family of package managers caches and how the
// cache is kept out of the layer.
type pkgManager struct {
	// use recognises a call that fills the cache.
	use func(c *dockerfile.Call) (cacheUse, bool)
	// optedOut reports whether the call itself avoids the cache (--no-cache).
	optedOut func(c *dockerfile.Call) bool
	// cleans reports whether a call removes the cache.
	cleans func(in *dockerfile.Instruction, c *dockerfile.Call) rmMatch
	// mounted reports whether a RUN mount keeps the cache out of the layer.
	mounted func(in *dockerfile.Instruction) bool
	// envOff reports whether the environment disables the cache.
	envOff func(in *dockerfile.Instruction) bool
	// message explains the finding.
	message func(u cacheUse) string
	// perRun: one cleanup at the end of the RUN fixes every call, so the RUN
	// gets one finding (at its first offending call), not one per call.
	perRun bool
}

var (
	apkValued = wordSet("-X", "--repository", "--repositories-file", "-p", "--root", "--arch",
		"-t", "--virtual", "--keys-dir", "--cache-dir", "--cache-max-age")
	apkCache = pathSpec{abs: []string{"/var/cache/apk", "/etc/apk/cache"}}

	rpmManagers = wordSet("yum", "dnf", "dnf5", "microdnf", "tdnf")
	rpmValued   = wordSet("-c", "--config", "-d", "--debuglevel", "-e", "--errorlevel", "-R",
		"--randomwait", "-x", "--exclude", "--installroot", "--releasever", "--enablerepo",
		"--disablerepo", "--repo", "--repoid", "--setopt", "--rpmverbosity", "--color",
		"--downloaddir", "--destdir", "--forcearch", "--repofrompath", "--disableplugin",
		"--enableplugin")
	rpmInstalls = wordSet("install", "reinstall", "groupinstall", "localinstall", "update",
		"upgrade", "distro-sync", "distrosync", "group", "makecache", "builddep", "in", "up")
	rpmCache = pathSpec{abs: []string{"/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/tdnf"}}

	zypperValued = wordSet("-R", "--root", "-c", "--config", "-D", "--reposd-dir", "-C",
		"--cache-dir", "--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "-x")
	zypperInstalls = wordSet("install", "in", "update", "up", "dist-upgrade", "dup", "patch",
		"source-install", "si", "refresh", "ref")
	zypperCache = pathSpec{abs: []string{"/var/cache/zypp"}}

	pipValued = wordSet("--python", "--log", "--proxy", "--retries", "--timeout", "--exists-action",
		"--trusted-host", "--cert", "--client-cert", "--cache-dir", "--log-file", "--src",
		"--root-user-action", "--keyring-provider", "--use-feature", "--use-deprecated")
	pipCache = pathSpec{suffixes: []string{"/.cache/pip", "/.cache"}}

	npmValued   = wordSet("--prefix", "--cache", "--registry", "--userconfig", "--globalconfig", "--loglevel", "-w", "--workspace", "-C")
	npmInstalls = wordSet("install", "i", "ci", "add", "in", "ins", "inst", "insta", "instal",
		"isnt", "isnta", "isntal", "isntall", "install-clean", "ic", "install-test", "it",
		"install-ci-test", "cit", "clean-install")
	npmCache = pathSpec{suffixes: []string{"/.npm", "/.npm/_cacache"}}
)

// subUse recognises "<name> ... <sub>" with sub in subs.
func subUse(c *dockerfile.Call, valued, subs map[string]bool) (cacheUse, bool) {
	i, ok := subcommand(c, 0, valued)
	if !ok || !subs[c.Args[i].Value] {
		return cacheUse{}, false
	}
	return cacheUse{call: c, rng: callThrough(c, i), verb: c.Name + " " + c.Args[i].Value}, true
}

// subIs reports whether c runs the sub-command sub (with a separate option
// such as "all" when opt is not "").
func subIs(c *dockerfile.Call, valued map[string]bool, sub string, opts ...string) bool {
	i, ok := subcommand(c, 0, valued)
	if !ok || c.Args[i].Value != sub {
		return false
	}
	if len(opts) == 0 {
		return true
	}
	for _, a := range c.Args[i+1:] {
		for _, o := range opts {
			if a.Value == o {
				return true
			}
		}
	}
	return false
}

// isNumbered matches a program name such as pip, pip3 or pip3.12.
func isNumbered(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	return ok && strings.Trim(rest, "0123456789.") == ""
}

// pipArgsStart returns where pip's own arguments start: 0 for pip, after
// "-m pip" for python -m pip; -1 when the call is not pip.
func pipArgsStart(c *dockerfile.Call) int {
	if isNumbered(c.Name, "pip") {
		return 0
	}
	if !isNumbered(c.Name, "python") {
		return -1
	}
	for i, a := range c.Args {
		if a.Value == "-m" && i+1 < len(c.Args) && isNumbered(c.Args[i+1].Value, "pip") {
			return i + 2
		}
		if !strings.HasPrefix(a.Value, "-") {
			return -1 // a script: python setup.py ...
		}
	}
	return -1
}

var pkgManagers = []pkgManager{
	{ // apk
		use: func(c *dockerfile.Call) (cacheUse, bool) {
			if c.Name != "apk" {
				return cacheUse{}, false
			}
			return subUse(c, apkValued, wordSet("add"))
		},
		// --no-network installs from what is already on disk: no index.
		optedOut: func(c *dockerfile.Call) bool { return c.HasOption("", "--no-cache", "--no-network") },
		cleans: func(in *dockerfile.Instruction, c *dockerfile.Call) rmMatch {
			m, _ := callRemoves(in, c, apkCache, false)
			return m
		},
		mounted: func(in *dockerfile.Instruction) bool {
			return mountKeepsOut(in, "/var/cache/apk") || mountKeepsOut(in, "/etc/apk/cache")
		},
		message: func(u cacheUse) string {
			return u.verb + " without --no-cache leaves the package index in /var/cache/apk in this layer; use `apk add --no-cache`"
		},
	},
	{ // yum, dnf, microdnf, tdnf
		perRun: true,
		use: func(c *dockerfile.Call) (cacheUse, bool) {
			if !rpmManagers[c.Name] {
				return cacheUse{}, false
			}
			return subUse(c, rpmValued, rpmInstalls)
		},
		optedOut: func(*dockerfile.Call) bool { return false },
		cleans: func(in *dockerfile.Instruction, c *dockerfile.Call) rmMatch {
			if rpmManagers[c.Name] && subIs(c, rpmValued, "clean", "all") {
				return rmYes
			}
			m, _ := callRemoves(in, c, rpmCache, true)
			return m
		},
		mounted: func(in *dockerfile.Instruction) bool {
			for _, d := range rpmCache.abs {
				if mountKeepsOut(in, d) {
					return true
				}
			}
			return false
		},
		message: func(u cacheUse) string {
			dir := "/var/cache/" + u.call.Name
			switch u.call.Name {
			case "microdnf":
				dir = "/var/cache/yum"
			case "dnf5":
				dir = "/var/cache/libdnf5"
			}
			return u.verb + " without `" + u.call.Name + " clean all` in the same RUN leaves the repository metadata and packages in " + dir + " in this layer (often 100+ MB); end the RUN with `&& " + u.call.Name + " clean all`"
		},
	},
	{ // zypper
		perRun: true,
		use: func(c *dockerfile.Call) (cacheUse, bool) {
			if c.Name != "zypper" {
				return cacheUse{}, false
			}
			return subUse(c, zypperValued, zypperInstalls)
		},
		optedOut: func(*dockerfile.Call) bool { return false },
		cleans: func(in *dockerfile.Instruction, c *dockerfile.Call) rmMatch {
			if c.Name == "zypper" && (subIs(c, zypperValued, "clean") || subIs(c, zypperValued, "cc")) {
				return rmYes
			}
			m, _ := callRemoves(in, c, zypperCache, true)
			return m
		},
		mounted: func(in *dockerfile.Instruction) bool { return mountKeepsOut(in, "/var/cache/zypp") },
		message: func(u cacheUse) string {
			return u.verb + " without `zypper clean --all` in the same RUN leaves the repository metadata and packages in /var/cache/zypp in this layer; end the RUN with `&& zypper clean --all`"
		},
	},
	{ // pip
		use: func(c *dockerfile.Call) (cacheUse, bool) {
			start := pipArgsStart(c)
			if start < 0 {
				return cacheUse{}, false
			}
			i, ok := subcommand(c, start, pipValued)
			if !ok || c.Args[i].Value != "install" {
				return cacheUse{}, false
			}
			verb := "pip install"
			if start > 0 {
				verb = c.Name + " -m pip install"
			}
			return cacheUse{call: c, rng: callThrough(c, i), verb: verb}, true
		},
		optedOut: func(c *dockerfile.Call) bool { return c.HasOption("", "--no-cache-dir") },
		cleans: func(in *dockerfile.Instruction, c *dockerfile.Call) rmMatch {
			if start := pipArgsStart(c); start >= 0 {
				if i, ok := subcommand(c, start, pipValued); ok && c.Args[i].Value == "cache" &&
					(hasArg(c, "purge") || hasArg(c, "remove")) {
					return rmYes
				}
				return rmNo
			}
			m, _ := callRemoves(in, c, pipCache, true)
			return m
		},
		mounted: func(in *dockerfile.Instruction) bool {
			return mountKeepsOutSuffix(in, "/.cache/pip", "/.cache")
		},
		envOff: func(in *dockerfile.Instruction) bool {
			if _, unresolved := in.Expand("$PIP_NO_CACHE_DIR"); len(unresolved) == 0 {
				return true
			}
			return scriptSetsVar(in, "PIP_NO_CACHE_DIR")
		},
		message: func(u cacheUse) string {
			return u.verb + " without --no-cache-dir keeps the downloaded packages in ~/.cache/pip in this layer; add --no-cache-dir (or set ENV PIP_NO_CACHE_DIR=1, or use RUN --mount=type=cache,target=/root/.cache/pip)"
		},
	},
	{ // npm
		perRun: true,
		use: func(c *dockerfile.Call) (cacheUse, bool) {
			if c.Name != "npm" {
				return cacheUse{}, false
			}
			return subUse(c, npmValued, npmInstalls)
		},
		optedOut: func(*dockerfile.Call) bool { return false },
		cleans: func(in *dockerfile.Instruction, c *dockerfile.Call) rmMatch {
			if c.Name == "npm" {
				if subIs(c, npmValued, "cache", "clean") {
					return rmYes
				}
				return rmNo
			}
			m, _ := callRemoves(in, c, npmCache, true)
			return m
		},
		mounted: func(in *dockerfile.Instruction) bool {
			return mountKeepsOutSuffix(in, "/.npm", "/.npm/_cacache")
		},
		message: func(u cacheUse) string {
			return u.verb + " without a cache clean keeps the downloaded tarballs in ~/.npm in this layer; add `&& npm cache clean --force` to the same RUN (or use RUN --mount=type=cache,target=/root/.npm)"
		},
	},
}

func checkPackageCacheLeft(pass *rule.Pass) {
	for _, in := range finalRuns(pass.File) {
		calls := runScript(in)
		reported := map[int]bool{} // perRun managers already reported for this RUN
		for i, c := range calls {
			for k, pm := range pkgManagers {
				u, ok := pm.use(c)
				if !ok {
					continue
				}
				if reported[k] || pm.optedOut(c) || pm.mounted(in) || (pm.envOff != nil && pm.envOff(in)) {
					break
				}
				if cleanedAfter(calls, i, func(c *dockerfile.Call) rmMatch { return pm.cleans(in, c) }) {
					break
				}
				pass.Reportf(u.rng, "%s", pm.message(u))
				reported[k] = pm.perRun
				break
			}
		}
	}
}

// scriptSetsVar reports whether a RUN's script sets an environment variable
// for its commands: `export NAME=...`, a `NAME=... cmd` prefix or
// `env NAME=... cmd`. The model's calls do not show assignments, so the
// script text is parsed again (with the same shell parser); anywhere in the
// script counts, since a rule that cannot be sure stays silent.
func scriptSetsVar(in *dockerfile.Instruction, name string) bool {
	if in.Script == nil || !strings.Contains(in.Script.Text, name) {
		return false
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(in.Script.Text), "")
	if err != nil {
		return false
	}
	found := false
	syntax.Walk(f, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.Assign:
			if x.Name != nil && x.Name.Value == name {
				found = true
			}
		case *syntax.Word:
			if v, ok := plainWord(x); ok && strings.HasPrefix(v, name+"=") {
				found = true // env NAME=... cmd, sh -c '...' bodies aside
			}
		}
		return !found
	})
	return found
}

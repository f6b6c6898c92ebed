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
  uv pip install --no-cache ...                (or ENV UV_NO_CACHE=1)
  npm ci && npm cache clean --force
or mount the cache directory with RUN --mount=type=cache,target=... (which also
speeds up rebuilds). A cleanup in a later RUN does not help: the earlier layer
keeps the bytes. Only the final image is judged (the target stage and the stages
it is built FROM); apt is covered by apt-lists-not-removed (DV400).

Every yum/dnf verb that downloads counts, aliases included: install/in,
reinstall/rei, upgrade/up/update, upgrade-minimal/up-min, downgrade/dg,
distro-sync/dsync, swap, builddep, download, group install, module install or
enable, and makecache and check-update (metadata only). pip is recognised as
pip, pip3, pip3.12 or "python3.12 -m pip" (also pypy and jython), and accepts
what pip accepts: an unambiguous prefix such as --no-cache means
--no-cache-dir, and PIP_NO_CACHE_DIR disables the cache when set to any
non-empty value, even 0 (pip's own rule); an empty value does not.`,
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
	// envNote explains, when not "", why the environment does not disable
	// the cache although it mentions it.
	envNote func(in *dockerfile.Instruction) string
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

	rpmManagers = wordSet("yum", "dnf", "dnf5", "dnf4", "dnf-3", "microdnf", "tdnf")
	rpmValued   = wordSet("-c", "--config", "-d", "--debuglevel", "-e", "--errorlevel", "-R",
		"--randomwait", "-x", "--exclude", "--installroot", "--releasever", "--enablerepo",
		"--disablerepo", "--enable-repo", "--disable-repo", "--repo", "--repoid", "--setopt",
		"--setvar", "--rpmverbosity", "--color", "--downloaddir", "--destdir", "--forcearch",
		"--repofrompath", "--disableplugin", "--enableplugin", "--disable-plugin",
		"--enable-plugin", "--comment")
	// rpmDownloads are the yum/dnf/microdnf/tdnf commands that download
	// packages into the cache, with their aliases (dnf 4's command classes,
	// dnf5's compatibility aliases, yum 3's verbs): install/in, reinstall/rei,
	// upgrade/up/update, upgrade-minimal/up-min, downgrade/dg,
	// distro-sync/dsync, swap, builddep, download...
	rpmDownloads = wordSet("install", "in", "localinstall", "install-n", "install-na",
		"install-nevra", "reinstall", "rei", "upgrade", "up", "update", "upgrade-to",
		"update-to", "localupdate", "upgrade-minimal", "update-minimal", "up-min",
		"downgrade", "dg", "distro-sync", "distrosync", "distribution-synchronization",
		"dsync", "groupinstall", "groupupdate", "swap", "builddep", "build-dep", "download",
		"debuginfo-install")
	// rpmMetadata are the commands that fetch only the repository metadata.
	rpmMetadata = wordSet("makecache", "mc", "check-update", "check-upgrade")
	// rpmGroups are the commands whose own sub-command decides: group
	// install/upgrade and module install/update/enable download.
	rpmGroups = map[string]map[string]bool{
		"group":  wordSet("install", "upgrade", "update"),
		"groups": wordSet("install", "upgrade", "update"),
		"grp":    wordSet("install", "upgrade", "update"),
		"module": wordSet("install", "update", "enable", "switch-to"),
	}
	rpmCache = pathSpec{abs: []string{"/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/tdnf"}}

	zypperValued = wordSet("-R", "--root", "-c", "--config", "-D", "--reposd-dir", "-C",
		"--cache-dir", "--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "-x")
	zypperInstalls = wordSet("install", "in", "update", "up", "dist-upgrade", "dup", "patch",
		"source-install", "si", "refresh", "ref")
	zypperCache = pathSpec{abs: []string{"/var/cache/zypp"}}

	// pythonValued are the interpreter options before -m that take a value.
	pythonValued = wordSet("-W", "-X", "--check-hash-based-pycs")
	pipValued    = wordSet("--python", "--log", "--proxy", "--retries", "--timeout", "--exists-action",
		"--trusted-host", "--cert", "--client-cert", "--cache-dir", "--log-file", "--src",
		"--root-user-action", "--keyring-provider", "--use-feature", "--use-deprecated")
	pipCache = pathSpec{suffixes: []string{"/.cache/pip", "/.cache"}}

	uvValued = wordSet("--cache-dir", "--directory", "--project", "--config-file", "--color",
		"--python-preference", "--python-fetch", "--allow-insecure-host", "--index-url",
		"--extra-index-url")
	uvCache = pathSpec{suffixes: []string{"/.cache/uv", "/.cache"}}

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

// rpmUse recognises a yum/dnf/microdnf/tdnf call that downloads into the
// cache; metadataOnly is set for the commands that fetch only metadata.
func rpmUse(c *dockerfile.Call) (u cacheUse, metadataOnly, ok bool) {
	if !rpmManagers[c.Name] {
		return cacheUse{}, false, false
	}
	i, ok := subcommand(c, 0, rpmValued)
	if !ok {
		return cacheUse{}, false, false
	}
	sub := c.Args[i].Value
	u = cacheUse{call: c, rng: callThrough(c, i), verb: c.Name + " " + sub}
	switch {
	case rpmDownloads[sub]:
		return u, false, true
	case rpmMetadata[sub]:
		return u, true, true
	case rpmGroups[sub] != nil:
		j, ok := subcommand(c, i+1, rpmValued)
		if !ok || !rpmGroups[sub][c.Args[j].Value] {
			return cacheUse{}, false, false
		}
		u.rng, u.verb = callThrough(c, j), u.verb+" "+c.Args[j].Value
		return u, false, true
	}
	return cacheUse{}, false, false
}

// isNumbered matches a program name such as pip, pip3 or pip3.12.
func isNumbered(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	return ok && strings.Trim(rest, "0123456789.") == ""
}

// isPython matches the interpreters that run `-m pip`: python, python3,
// python3.12, pypy3, jython.
func isPython(name string) bool {
	return isNumbered(name, "python") || isNumbered(name, "pypy") || name == "jython"
}

// pipArgsStart returns where pip's own arguments start: 0 for pip, after
// "-m pip" for python -m pip; -1 when the call is not pip.
func pipArgsStart(c *dockerfile.Call) int {
	if isNumbered(c.Name, "pip") {
		return 0
	}
	if !isPython(c.Name) {
		return -1
	}
	for i := 0; i < len(c.Args); i++ {
		a := c.Args[i]
		if a.Value == "-m" && i+1 < len(c.Args) && isNumbered(c.Args[i+1].Value, "pip") {
			return i + 2
		}
		if !strings.HasPrefix(a.Value, "-") {
			return -1 // a script: python setup.py ...
		}
		if pythonValued[a.Value] {
			i++
		}
	}
	return -1
}

// pipNoCacheDir reports whether a pip call disables its cache with
// --no-cache-dir. pip parses options with optparse, which accepts any
// unambiguous prefix of a long option: --no-cache and --no-cach mean
// --no-cache-dir, while --no-c is ambiguous (--no-color, --no-compile...) and
// makes pip fail. "--no-ca" is the shortest prefix only --no-cache-dir has.
func pipNoCacheDir(c *dockerfile.Call) bool {
	for _, a := range c.Args {
		if a.Value == "--" {
			return false
		}
		if len(a.Value) >= len("--no-ca") && strings.HasPrefix("--no-cache-dir", a.Value) {
			return true
		}
	}
	return false
}

// uvPipUse recognises `uv pip install` (uv's options may come first).
func uvPipUse(c *dockerfile.Call) (cacheUse, bool) {
	if c.Name != "uv" {
		return cacheUse{}, false
	}
	i, ok := subcommand(c, 0, uvValued)
	if !ok || c.Args[i].Value != "pip" {
		return cacheUse{}, false
	}
	j, ok := subcommand(c, i+1, uvValued)
	if !ok || c.Args[j].Value != "install" {
		return cacheUse{}, false
	}
	return cacheUse{call: c, rng: callThrough(c, j), verb: "uv pip install"}, true
}

// envValue returns the value that the environment variable name has for
// the commands of a RUN: set in the script (`export NAME=...`, a `NAME=...`
// prefix, `env NAME=...`), else by an ENV or ARG of the stage. set is false
// when neither sets it; known is false when the value depends on a shell
// variable or command.
func envValue(in *dockerfile.Instruction, name string) (value string, set, known bool) {
	if v, ok, known := scriptVar(in, name); ok {
		return v, true, known
	}
	v, unresolved := in.Expand("${" + name + "}")
	if len(unresolved) > 0 {
		return "", false, true
	}
	return v, true, true
}

// pipCacheOff reports whether PIP_NO_CACHE_DIR disables pip's cache. pip
// ignores empty configuration values, and its --no-cache-dir callback
// disables the cache for every other value, even "0" or "false" (kept so for
// backward compatibility; a value that is not a boolean makes pip fail, so
// nothing is cached then either). A value that depends on the shell counts
// too: a rule that cannot be sure stays silent.
func pipCacheOff(in *dockerfile.Instruction) bool {
	v, set, known := envValue(in, "PIP_NO_CACHE_DIR")
	return set && (!known || v != "")
}

// uvCacheOff reports whether UV_NO_CACHE disables uv's cache: uv reads it as
// a boolean (1, true, yes, on, t, y); 0, false or an empty value keep it.
func uvCacheOff(in *dockerfile.Instruction) bool {
	v, set, known := envValue(in, "UV_NO_CACHE")
	if !set {
		return false
	}
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on", "t", "y":
		return true
	}
	return !known
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
			u, _, ok := rpmUse(c)
			return u, ok
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
			case "dnf":
				dir = "/var/cache/dnf (/var/cache/libdnf5 where dnf is dnf5)"
			case "dnf4", "dnf-3":
				dir = "/var/cache/dnf"
			}
			what := "the repository metadata and packages"
			if _, metadataOnly, _ := rpmUse(u.call); metadataOnly {
				what = "the repository metadata"
			}
			return u.verb + " without `" + u.call.Name + " clean all` in the same RUN leaves " + what + " in " + dir + " in this layer (often 100+ MB); end the RUN with `&& " + u.call.Name + " clean all`"
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
		optedOut: pipNoCacheDir,
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
		envOff: pipCacheOff,
		envNote: func(in *dockerfile.Instruction) string {
			if v, set, known := envValue(in, "PIP_NO_CACHE_DIR"); set && known && v == "" {
				return "; PIP_NO_CACHE_DIR is set but empty here, and pip ignores an empty value"
			}
			return ""
		},
		message: func(u cacheUse) string {
			return u.verb + " without --no-cache-dir keeps the downloaded packages in ~/.cache/pip in this layer; add --no-cache-dir (or set ENV PIP_NO_CACHE_DIR=1, or use RUN --mount=type=cache,target=/root/.cache/pip)"
		},
	},
	{ // uv pip
		use:      uvPipUse,
		optedOut: func(c *dockerfile.Call) bool { return c.HasOption("n", "--no-cache") },
		cleans: func(in *dockerfile.Instruction, c *dockerfile.Call) rmMatch {
			if c.Name == "uv" {
				if subIs(c, uvValued, "clean") || subIs(c, uvValued, "cache", "clean") {
					return rmYes
				}
				return rmNo
			}
			m, _ := callRemoves(in, c, uvCache, true)
			return m
		},
		mounted: func(in *dockerfile.Instruction) bool {
			return mountKeepsOutSuffix(in, "/.cache/uv", "/.cache")
		},
		envOff: uvCacheOff,
		message: func(u cacheUse) string {
			return u.verb + " without --no-cache keeps the downloaded packages in ~/.cache/uv in this layer; add --no-cache (or set ENV UV_NO_CACHE=1, or use RUN --mount=type=cache,target=/root/.cache/uv)"
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
				msg := pm.message(u)
				if pm.envNote != nil {
					msg += pm.envNote(in)
				}
				pass.Reportf(u.rng, "%s", msg)
				reported[k] = pm.perRun
				break
			}
		}
	}
}

// scriptVar finds where a RUN's script sets an environment variable for its
// commands: `export NAME=...`, a `NAME=... cmd` prefix or `env NAME=... cmd`,
// and returns the value (known is false when it is not plain words). The
// model's calls do not show assignments, so the script text is parsed again
// (with the same shell parser); anywhere in the script counts, since a rule
// that cannot be sure stays silent.
func scriptVar(in *dockerfile.Instruction, name string) (value string, set, known bool) {
	if in.Script == nil || !strings.Contains(in.Script.Text, name) {
		return "", false, false
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(in.Script.Text), "")
	if err != nil {
		return "", false, false
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.Assign:
			if x.Name != nil && x.Name.Value == name {
				set, known = true, true
				if x.Value != nil {
					value, known = plainWord(x.Value)
				}
			}
		case *syntax.Word:
			if v, ok := plainWord(x); ok {
				if rest, found := strings.CutPrefix(v, name+"="); found {
					value, set, known = rest, true, true // env NAME=... cmd
				}
			}
		}
		return !set
	})
	return value, set, known
}

package rules

import (
	"path"
	"strings"
	"sync"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	rf "github.com/dockvet/dockvet/internal/runfacts"
	"github.com/dockvet/dockvet/internal/source"
)

// PackageCacheLeft is DV403.
var PackageCacheLeft = &rule.Rule{
	ID:       "DV403",
	Name:     "package-cache-left",
	Severity: finding.SeverityInfo,
	Summary:  "apk, yum/dnf/zypper, pip, uv, npm, yarn, pnpm, composer, poetry or conda leaves its download cache in the layer",
	Doc: `Package managers keep what they download: apk its index in /var/cache/apk, yum,
dnf, microdnf, tdnf and zypper their metadata and packages in /var/cache, pip its
wheels in ~/.cache/pip, uv in ~/.cache/uv, npm its tarballs in ~/.npm, yarn in
/usr/local/share/.cache/yarn (~/.cache/yarn for other users), pnpm its store in
~/.local/share/pnpm/store, composer in ~/.cache/composer, poetry in
~/.cache/pypoetry, conda its packages in /opt/conda/pkgs. Inside an image build
that cache is never used again, but the layer of the RUN that filled it keeps it
forever, often tens or hundreds of megabytes. Docker's own best-practice guide
and every official language image clean up in the same RUN for this reason.

Keep the cache out of the layer in the same RUN:
  apk add --no-cache ...
  dnf install -y ... && dnf clean all          (yum, microdnf, tdnf alike)
  zypper install -y ... && zypper clean --all
  pip install --no-cache-dir ...               (or ENV PIP_NO_CACHE_DIR=1)
  uv pip install --no-cache ...                (or ENV UV_NO_CACHE=1)
  npm ci && npm cache clean --force
  yarn install --frozen-lockfile && yarn cache clean
  pnpm install --frozen-lockfile && pnpm store prune
  composer install --no-cache ...              (or && composer clear-cache)
  poetry install --no-cache ...                (or && rm -rf $POETRY_CACHE_DIR)
  conda install -y ... && conda clean -afy
or mount the cache directory with RUN --mount=type=cache,target=... (which also
speeds up rebuilds). A cleanup in a later RUN does not help: the earlier layer
keeps the bytes. Only the final image is judged (the target stage and the stages
it is built FROM); apt is covered by apt-lists-not-removed (DV400). A removal
of the directory a cache variable names (PIP_CACHE_DIR, UV_CACHE_DIR,
npm_config_cache, YARN_CACHE_FOLDER, COMPOSER_CACHE_DIR, POETRY_CACHE_DIR,
CONDA_PKGS_DIRS) counts as a cleanup.

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
	Check: checkPackageCacheLeft,
	CheckImage: func(ip *rule.ImagePass) {
		historyCheck(ip, checkPackageCacheLeft, "; image history does not record RUN --mount, so if this RUN kept the cache in a cache mount, nothing was left behind")
	},
}

// cachePolicy is how one family of package managers caches and how the
// cache is kept out of the layer.
type cachePolicy struct {
	// optedOut reports whether the call itself, or its environment, avoids
	// the cache (--no-cache, PIP_NO_CACHE_DIR=1).
	optedOut func(r *rf.Run, u rf.Install) bool
	// cache is where the cache lives, as a removal target; dirVar is the
	// variable that moves it (PIP_CACHE_DIR), "" when none.
	cache  rf.PathSpec
	dirVar string
	// plainRm: an rm without -r removes the cache (its files lie directly
	// in the directory).
	plainRm bool
	// cleans recognises the manager's own clean command (nil: none).
	cleans func(c *dockerfile.Call) bool
	// mounted reports whether a RUN mount keeps the cache out of the layer.
	mounted func(r *rf.Run) bool
	// envNote explains, when not "", why the environment does not disable
	// the cache although it mentions it.
	envNote func(r *rf.Run, u rf.Install) string
	// message explains the finding.
	message func(u rf.Install) string
	// perRun: one cleanup at the end of the RUN fixes every call, so the RUN
	// gets one finding (at its first offending call), not one per call.
	perRun bool
	// fix is the option that keeps the cache out ("--no-cache", added
	// after the sub-command) or the cleanup command that ends the RUN
	// (given the install's program name); "" for neither.
	option  func(u rf.Install) string
	cleanup func(prog string) string
}

// isClean reports whether c removes the cache of u's manager.
func (p *cachePolicy) isClean(r *rf.Run, u rf.Install, c *dockerfile.Call) rf.RmMatch {
	if p.cleans != nil && p.cleans(c) {
		return rf.RmYes
	}
	spec := p.cache
	if p.dirVar != "" {
		spec.Vars = []string{p.dirVar}
		if v, set, known := r.CommandEnv(u.Call, p.dirVar); set && known && path.IsAbs(v) {
			spec.Abs = append(append([]string(nil), spec.Abs...), path.Clean(v))
		}
	}
	m, _ := r.Removes(c, spec, !p.plainRm)
	return m
}

// envOff reports whether a variable disables the cache for u's call:
// off says which values do; a value that cannot be known counts as off (a
// rule that cannot be sure stays silent).
func envOff(r *rf.Run, u rf.Install, name string, off func(v string) bool) bool {
	v, set, known := r.CommandEnv(u.Call, name)
	return !known || (set && off(v))
}

// uvBool is how uv reads a boolean variable.
func uvBool(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on", "t", "y":
		return true
	}
	return false
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

// subCall reports whether c is program prog running the sub-command sub
// (followed by one of opts when given).
func subCall(c *dockerfile.Call, progs, valued *words, sub string, opts ...string) bool {
	return progs.Has(c.Name) && rf.SubIs(c, valued, sub, opts...)
}

var (
	apkCache  = rf.PathSpec{Abs: []string{"/var/cache/apk", "/etc/apk/cache"}}
	rpmCache  = rf.PathSpec{Abs: []string{"/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/tdnf"}}
	zypCache  = rf.PathSpec{Abs: []string{"/var/cache/zypp"}}
	pipCache  = rf.PathSpec{Suffixes: []string{"/.cache/pip", "/.cache"}}
	uvCache   = rf.PathSpec{Suffixes: []string{"/.cache/uv", "/.cache"}}
	npmCache  = rf.PathSpec{Suffixes: []string{"/.npm", "/.npm/_cacache"}}
	yarnCache = rf.PathSpec{Abs: []string{"/usr/local/share/.cache/yarn", "/usr/local/share/.cache"},
		Suffixes: []string{"/.cache/yarn", "/.yarn/berry/cache", "/.yarn/cache"}}
	pnpmCache     = rf.PathSpec{Suffixes: []string{"/pnpm/store", "/.pnpm-store", "/.local/share/pnpm"}}
	composerCache = rf.PathSpec{Suffixes: []string{"/.composer/cache", "/.cache/composer", "/.composer"}}
	poetryCache   = rf.PathSpec{Suffixes: []string{"/.cache/pypoetry", "/.cache"}}
	condaCache    = rf.PathSpec{Abs: []string{"/opt/conda/pkgs"}, Suffixes: []string{"/conda/pkgs", "/mamba/pkgs", "/micromamba/pkgs", "/miniconda3/pkgs", "/miniconda/pkgs", "/miniforge3/pkgs", "/mambaforge/pkgs", "/anaconda3/pkgs"}}

	progUv       = &words{List: []string{"uv"}}
	progNpm      = &words{List: []string{"npm"}}
	progYarn     = &words{List: []string{"yarn"}}
	progPnpm     = &words{List: []string{"pnpm"}}
	progComposer = &words{List: []string{"composer", "composer.phar"}}
	progPoetry   = &words{List: []string{"poetry"}}
	progConda    = &words{List: []string{"conda", "mamba", "micromamba"}}
	progZypper   = &words{List: []string{"zypper"}}
)

func mountedAbs(dirs ...string) func(r *rf.Run) bool {
	return func(r *rf.Run) bool {
		for _, d := range dirs {
			if r.KeepsOut(d) {
				return true
			}
		}
		return false
	}
}

func mountedSuffix(suffixes ...string) func(r *rf.Run) bool {
	return func(r *rf.Run) bool { return r.KeepsOutSuffix(suffixes...) }
}

func noOptOut(*rf.Run, rf.Install) bool { return false }

// cachePolicies is built the first time a RUN installs packages (its
// policies hold closures: mountedAbs, mountedSuffix).
var cachePolicies = sync.OnceValue(func() map[rf.Manager]*cachePolicy {
	return map[rf.Manager]*cachePolicy{
		rf.Apk: {
			option: func(u rf.Install) string {
				if u.Verb == "apk add" {
					return "--no-cache"
				}
				return ""
			},
			// --no-network installs from what is already on disk: no index.
			optedOut: func(_ *rf.Run, u rf.Install) bool { return u.Call.HasOption("", "--no-cache", "--no-network") },
			cache:    apkCache,
			// The index files lie directly in the directory: rm without -r
			// removes them.
			plainRm: true,
			mounted: mountedAbs("/var/cache/apk", "/etc/apk/cache"),
			message: func(u rf.Install) string {
				return u.Verb + " without --no-cache leaves the package index in /var/cache/apk in this layer; use `apk add --no-cache`"
			},
		},
		rf.Rpm: {
			perRun:   true,
			cleanup:  func(prog string) string { return prog + " clean all" },
			optedOut: noOptOut,
			cache:    rpmCache,
			cleans: func(c *dockerfile.Call) bool {
				return subCall(c, rf.RpmManagers, rf.RpmValued, "clean", "all")
			},
			mounted: mountedAbs(rpmCache.Abs...),
			message: func(u rf.Install) string {
				name := u.Call.Name
				dir := "/var/cache/" + name
				switch name {
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
				if u.MetadataOnly {
					what = "the repository metadata"
				}
				return u.Verb + " without `" + name + " clean all` in the same RUN leaves " + what + " in " + dir + " in this layer (often 100+ MB); end the RUN with `&& " + name + " clean all`"
			},
		},
		rf.Zypper: {
			perRun:   true,
			cleanup:  func(string) string { return "zypper clean --all" },
			optedOut: noOptOut,
			cache:    zypCache,
			cleans: func(c *dockerfile.Call) bool {
				return subCall(c, progZypper, rf.ZypperValued, "clean") || subCall(c, progZypper, rf.ZypperValued, "cc")
			},
			mounted: mountedAbs("/var/cache/zypp"),
			message: func(u rf.Install) string {
				return u.Verb + " without `zypper clean --all` in the same RUN leaves the repository metadata and packages in /var/cache/zypp in this layer; end the RUN with `&& zypper clean --all`"
			},
		},
		rf.Pip: {
			option: func(u rf.Install) string {
				if u.Call.Arg(u.Sub) == "install" {
					return "--no-cache-dir"
				}
				return ""
			},
			// pip ignores an empty PIP_NO_CACHE_DIR, and its --no-cache-dir
			// callback disables the cache for every other value, even "0" or
			// "false" (kept so for backward compatibility).
			optedOut: func(r *rf.Run, u rf.Install) bool {
				return pipNoCacheDir(u.Call) || envOff(r, u, "PIP_NO_CACHE_DIR", func(v string) bool { return v != "" })
			},
			cache:  pipCache,
			dirVar: "PIP_CACHE_DIR",
			cleans: func(c *dockerfile.Call) bool {
				start := rf.PipArgsStart(c)
				if start < 0 {
					return false
				}
				i, ok := rf.Subcommand(c, start, rf.PipValued)
				return ok && c.Args[i].Value == "cache" && (rf.HasArg(c, "purge") || rf.HasArg(c, "remove"))
			},
			mounted: mountedSuffix("/.cache/pip", "/.cache"),
			envNote: func(r *rf.Run, u rf.Install) string {
				if v, set, known := r.CommandEnv(u.Call, "PIP_NO_CACHE_DIR"); set && known && v == "" {
					return "; PIP_NO_CACHE_DIR is set but empty here, and pip ignores an empty value"
				}
				return ""
			},
			message: func(u rf.Install) string {
				return u.Verb + " without --no-cache-dir keeps the downloaded packages in ~/.cache/pip in this layer; add --no-cache-dir (or set ENV PIP_NO_CACHE_DIR=1, or use RUN --mount=type=cache,target=/root/.cache/pip)"
			},
		},
		rf.Uv: {
			optedOut: func(r *rf.Run, u rf.Install) bool {
				return u.Call.HasOption("n", "--no-cache") || envOff(r, u, "UV_NO_CACHE", uvBool)
			},
			cache:  uvCache,
			dirVar: "UV_CACHE_DIR",
			cleans: func(c *dockerfile.Call) bool {
				return subCall(c, progUv, rf.UvValued, "clean") || subCall(c, progUv, rf.UvValued, "cache", "clean", "prune")
			},
			mounted: mountedSuffix("/.cache/uv", "/.cache"),
			message: func(u rf.Install) string {
				return u.Verb + " without --no-cache keeps the downloaded packages in ~/.cache/uv in this layer; add --no-cache (or set ENV UV_NO_CACHE=1, or use RUN --mount=type=cache,target=/root/.cache/uv)"
			},
		},
		rf.Npm: {
			perRun:   true,
			cleanup:  func(string) string { return "npm cache clean --force" },
			optedOut: noOptOut,
			cache:    npmCache,
			dirVar:   "npm_config_cache",
			cleans:   func(c *dockerfile.Call) bool { return subCall(c, progNpm, rf.NpmValued, "cache", "clean") },
			mounted:  mountedSuffix("/.npm", "/.npm/_cacache"),
			message: func(u rf.Install) string {
				return u.Verb + " without a cache clean keeps the downloaded tarballs in ~/.npm in this layer; add `&& npm cache clean --force` to the same RUN (or use RUN --mount=type=cache,target=/root/.npm)"
			},
		},
		rf.Yarn: {
			perRun:   true,
			cleanup:  func(string) string { return "yarn cache clean" },
			optedOut: noOptOut,
			cache:    yarnCache,
			dirVar:   "YARN_CACHE_FOLDER",
			cleans:   func(c *dockerfile.Call) bool { return subCall(c, progYarn, rf.YarnValued, "cache", "clean") },
			mounted:  mountedSuffix("/.cache/yarn", "/share/.cache/yarn", "/.yarn/berry/cache", "/share/.cache"),
			message: func(u rf.Install) string {
				return u.Verb + " without `yarn cache clean` keeps the downloaded packages in yarn's cache (/usr/local/share/.cache/yarn for root) in this layer; add `&& yarn cache clean` to the same RUN (or use RUN --mount=type=cache,target=/usr/local/share/.cache/yarn)"
			},
		},
		rf.Pnpm: {
			perRun:   true,
			optedOut: noOptOut,
			cache:    pnpmCache,
			cleans:   func(c *dockerfile.Call) bool { return subCall(c, progPnpm, rf.PnpmValued, "store", "prune") },
			mounted:  mountedSuffix("/pnpm/store", "/.pnpm-store", "/.local/share/pnpm", "/pnpm"),
			message: func(u rf.Install) string {
				return u.Verb + " keeps pnpm's package store (~/.local/share/pnpm/store) in this layer; use RUN --mount=type=cache,id=pnpm,target=/root/.local/share/pnpm/store (or end the RUN with `&& pnpm store prune`)"
			},
		},
		rf.Composer: {
			perRun: true,
			optedOut: func(r *rf.Run, u rf.Install) bool {
				return u.Call.HasOption("", "--no-cache") || envOff(r, u, "COMPOSER_CACHE_DIR", func(v string) bool { return v == "/dev/null" })
			},
			cache:  composerCache,
			dirVar: "COMPOSER_CACHE_DIR",
			cleans: func(c *dockerfile.Call) bool {
				return subCall(c, progComposer, rf.ComposerValued, "clear-cache") || subCall(c, progComposer, rf.ComposerValued, "clearcache") || subCall(c, progComposer, rf.ComposerValued, "cc")
			},
			mounted: mountedSuffix("/.composer/cache", "/.cache/composer", "/.composer"),
			message: func(u rf.Install) string {
				return u.Verb + " without --no-cache keeps the downloaded packages in composer's cache (~/.cache/composer) in this layer; add --no-cache (or `&& composer clear-cache` in the same RUN, or RUN --mount=type=cache,target=/root/.cache/composer)"
			},
		},
		rf.Poetry: {
			perRun:   true,
			optedOut: func(_ *rf.Run, u rf.Install) bool { return u.Call.HasOption("", "--no-cache") },
			cache:    poetryCache,
			dirVar:   "POETRY_CACHE_DIR",
			cleans: func(c *dockerfile.Call) bool {
				return subCall(c, progPoetry, rf.PoetryValued, "cache", "clear")
			},
			mounted: mountedSuffix("/.cache/pypoetry", "/.cache"),
			message: func(u rf.Install) string {
				return u.Verb + " without --no-cache keeps the downloaded packages in ~/.cache/pypoetry in this layer; add --no-cache (or `&& rm -rf $POETRY_CACHE_DIR` with ENV POETRY_CACHE_DIR set, or RUN --mount=type=cache,target=/root/.cache/pypoetry)"
			},
		},
		rf.Conda: {
			perRun:   true,
			cleanup:  func(prog string) string { return prog + " clean -afy" },
			optedOut: noOptOut,
			cache:    condaCache,
			dirVar:   "CONDA_PKGS_DIRS",
			cleans: func(c *dockerfile.Call) bool {
				// `conda clean` needs a target option (-a, -t, -p...) to do anything.
				return progConda.Has(c.Name) && rf.SubIs(c, rf.CondaValued, "clean") && len(c.Args) > 1
			},
			mounted: mountedSuffix("/pkgs"),
			message: func(u rf.Install) string {
				return u.Verb + " without `" + u.Call.Name + " clean` in the same RUN keeps the downloaded packages (its pkgs directory, " + condaDefaultPkgs + ") in this layer; end the RUN with `&& " + u.Call.Name + " clean -afy`"
			},
		},
	}
})

func checkPackageCacheLeft(pass *rule.Pass) {
	facts := runFacts(pass)
	for _, r := range facts.Final() {
		reported := map[rf.Manager]bool{} // perRun managers already reported for this RUN
		for _, u := range r.Installs() {
			p := cachePolicies()[u.Manager]
			if p == nil || reported[u.Manager] || p.optedOut(r, u) || p.mounted(r) {
				continue
			}
			if r.CleanedAfter(u.Index, func(c *dockerfile.Call) rf.RmMatch { return p.isClean(r, u, c) }) {
				continue
			}
			msg := p.message(u)
			if u.Manager == rf.Conda {
				// conda called by its path (/opt/anaconda/bin/conda) keeps
				// its packages beside that installation, not in /opt/conda.
				if dir := condaPkgsDir(pass.File, u.Call); dir != "" {
					msg = strings.Replace(msg, condaDefaultPkgs, dir, 1)
				}
			}
			if p.envNote != nil {
				msg += p.envNote(r, u)
			}
			pass.Report(rule.Diagnostic{Range: u.Rng, Message: msg, Fix: p.fix(facts, r, u)})
			reported[u.Manager] = p.perRun
		}
	}
}

// fix keeps the cache out of u's layer: the manager's option after the
// sub-command, or its cleanup chained at the end of the RUN. The cleanup is
// offered only for a call without wrappers or variable assignments (sudo,
// env X=...), whose cleanup would otherwise run as another user or clean
// another directory, and only when the RUN ends where a command can be
// chained (runfacts.ChainAfter).
func (p *cachePolicy) fix(facts *rf.Facts, r *rf.Run, u rf.Install) *finding.Fix {
	if p.option != nil {
		if opt := p.option(u); opt != "" {
			at := source.Range{Start: u.Rng.End, End: u.Rng.End}
			return &finding.Fix{Description: "add " + opt, Edits: []finding.Edit{{Range: at, NewText: " " + opt}}}
		}
	}
	if p.cleanup == nil || len(u.Call.Wrappers) > 0 || len(u.Call.Env) > 0 || u.Call.Name == "" {
		return nil
	}
	cmd := p.cleanup(u.Call.Name)
	e, ok := facts.ChainAfter(r, cmd)
	if !ok {
		return nil
	}
	return &finding.Fix{Description: "end the RUN with && " + cmd, Edits: []finding.Edit{e}}
}

// condaDefaultPkgs is where the conda images (continuumio, miniforge) keep
// downloaded packages.
const condaDefaultPkgs = "/opt/conda/pkgs"

// condaPkgsDir returns PREFIX/pkgs for a conda program written as
// PREFIX/bin/NAME, "" when the program is called by its name alone.
func condaPkgsDir(f *dockerfile.File, c *dockerfile.Call) string {
	r := c.NameRange
	if r.Start.Line != r.End.Line || r.Start.Line < 1 || r.Start.Line > len(f.Lines) {
		return ""
	}
	line := []rune(f.Lines[r.Start.Line-1])
	if r.Start.Col < 1 || r.End.Col-1 > len(line) || r.Start.Col > r.End.Col {
		return ""
	}
	prog := string(line[r.Start.Col-1 : r.End.Col-1])
	prefix, ok := strings.CutSuffix(prog, "/bin/"+c.Name)
	if !ok || !strings.HasPrefix(prefix, "/") || strings.ContainsAny(prefix, "$\"'") {
		return ""
	}
	return prefix + "/pkgs"
}

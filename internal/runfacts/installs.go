package runfacts

import (
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/source"
)

// Manager names a family of package managers.
type Manager string

const (
	Apt      Manager = "apt"      // apt-get, apt, aptitude
	Apk      Manager = "apk"      // Alpine
	Rpm      Manager = "rpm"      // yum, dnf, microdnf, tdnf
	Zypper   Manager = "zypper"   // openSUSE
	Pip      Manager = "pip"      // pip, python -m pip
	Uv       Manager = "uv"       // uv pip install, uv sync
	Npm      Manager = "npm"      // npm
	Yarn     Manager = "yarn"     // yarn (classic and berry)
	Pnpm     Manager = "pnpm"     // pnpm
	Composer Manager = "composer" // PHP
	Poetry   Manager = "poetry"   // Python
	Pipenv   Manager = "pipenv"   // Python
	Conda    Manager = "conda"    // conda, mamba, micromamba
	Bundler  Manager = "bundler"  // bundle install
	GoMod    Manager = "go"       // go mod download
	Cargo    Manager = "cargo"    // cargo fetch
	Maven    Manager = "maven"    // mvn dependency:go-offline
)

// Install is a call that installs or downloads packages.
type Install struct {
	Call    *dockerfile.Call
	Index   int // of Call in Run.Calls
	Manager Manager
	// Verb names the command as written: "apk add", "dnf group install",
	// "python3 -m pip install".
	Verb string
	// Rng spans the program name through the sub-command.
	Rng source.Range
	// Sub is the index in Call.Args of the (last) sub-command word.
	Sub int
	// MetadataOnly: the command fetches only repository metadata
	// (dnf makecache, yum check-update).
	MetadataOnly bool
	// Packages are the operands that name packages (OS managers, pip,
	// npm...), options and their values skipped.
	Packages []dockerfile.Word
	// Virtual is apk's --virtual/-t name, under which the packages can be
	// removed together ("" when none).
	Virtual string
	// Manifests are the files the install reads the dependency list from
	// (package.json, requirements.txt, Gemfile...), as names or, for pip's
	// -r, as the path given; nil when the install names its packages on the
	// command line instead.
	Manifests []string
	// LockFiles are the lock files that may sit beside the manifest, any one
	// of them (npm has package-lock.json or npm-shrinkwrap.json): a project
	// has its own, not necessarily all of them.
	LockFiles []string
}

var (
	ApkValued = &Words{List: []string{"-X", "--repository", "--repositories-file", "-p", "--root", "--arch",
		"-t", "--virtual", "--keys-dir", "--cache-dir", "--cache-max-age"}}

	RpmManagers = &Words{List: []string{"yum", "dnf", "dnf5", "dnf4", "dnf-3", "microdnf", "tdnf"}}
	RpmValued   = &Words{List: []string{"-c", "--config", "-d", "--debuglevel", "-e", "--errorlevel", "-R",
		"--randomwait", "-x", "--exclude", "--installroot", "--releasever", "--enablerepo",
		"--disablerepo", "--enable-repo", "--disable-repo", "--repo", "--repoid", "--setopt",
		"--setvar", "--rpmverbosity", "--color", "--downloaddir", "--destdir", "--forcearch",
		"--repofrompath", "--disableplugin", "--enableplugin", "--disable-plugin",
		"--enable-plugin", "--comment"}}
	// rpmDownloads are the yum/dnf/microdnf/tdnf commands that download
	// packages into the cache, with their aliases (dnf 4's command classes,
	// dnf5's compatibility aliases, yum 3's verbs).
	rpmDownloads = &Words{List: []string{"install", "in", "localinstall", "install-n", "install-na",
		"install-nevra", "reinstall", "rei", "upgrade", "up", "update", "upgrade-to",
		"update-to", "localupdate", "upgrade-minimal", "update-minimal", "up-min",
		"downgrade", "dg", "distro-sync", "distrosync", "distribution-synchronization",
		"dsync", "groupinstall", "groupupdate", "swap", "builddep", "build-dep", "download",
		"debuginfo-install"}}
	// rpmMetadata are the commands that fetch only the repository metadata.
	rpmMetadata = &Words{List: []string{"makecache", "mc", "check-update", "check-upgrade"}}
	// rpmGroupDownloads and rpmModuleDownloads are the sub-commands of
	// the commands whose own sub-command decides (rpmGroupSubs): group
	// install/upgrade and module install/update/enable download.
	rpmGroupDownloads  = &Words{List: []string{"install", "upgrade", "update"}}
	rpmModuleDownloads = &Words{List: []string{"install", "update", "enable", "switch-to"}}

	ZypperValued = &Words{List: []string{"-R", "--root", "-c", "--config", "-D", "--reposd-dir", "-C",
		"--cache-dir", "--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "-x"}}
	zypperInstalls = &Words{List: []string{"install", "in", "update", "up", "dist-upgrade", "dup", "patch",
		"source-install", "si", "refresh", "ref"}}

	// pythonValued are the interpreter options before -m that take a value.
	pythonValued = &Words{List: []string{"-W", "-X", "--check-hash-based-pycs"}}
	PipValued    = &Words{List: []string{"--python", "--log", "--proxy", "--retries", "--timeout", "--exists-action",
		"--trusted-host", "--cert", "--client-cert", "--cache-dir", "--log-file", "--src",
		"--root-user-action", "--keyring-provider", "--use-feature", "--use-deprecated"}}
	// pipInstallValued are pip install's options that take a value (beyond
	// the general ones): their values are not packages.
	pipInstallValued = &Words{List: []string{"-r", "--requirement", "-c", "--constraint", "-e", "--editable",
		"-t", "--target", "--platform", "--python-version", "--implementation", "--abi",
		"--root", "--prefix", "--upgrade-strategy", "-i", "--index-url", "--extra-index-url",
		"-f", "--find-links", "--no-binary", "--only-binary", "--progress-bar", "--report",
		"--config-settings", "-C", "--global-option", "--src"}}

	UvValued = &Words{List: []string{"--cache-dir", "--directory", "--project", "--config-file", "--color",
		"--python-preference", "--python-fetch", "--allow-insecure-host", "--index-url",
		"--extra-index-url"}}

	NpmValued   = &Words{List: []string{"--prefix", "--cache", "--registry", "--userconfig", "--globalconfig", "--loglevel", "-w", "--workspace", "-C"}}
	npmInstalls = &Words{List: []string{"install", "i", "ci", "add", "in", "ins", "inst", "insta", "instal",
		"isnt", "isnta", "isntal", "isntall", "install-clean", "ic", "install-test", "it",
		"install-ci-test", "cit", "clean-install"}}
	npmCleanInstalls = &Words{List: []string{"ci", "install-clean", "ic", "install-ci-test", "cit", "clean-install"}}

	YarnValued     = &Words{List: []string{"--cwd", "--cache-folder", "--modules-folder", "--mutex", "--network-timeout", "--registry", "--use-yarnrc", "--global-folder", "--link-folder"}}
	PnpmValued     = &Words{List: []string{"-C", "--dir", "--filter", "-F", "--store-dir", "--reporter", "--loglevel", "-w", "--workspace-root"}}
	ComposerValued = &Words{List: []string{"-d", "--working-dir"}}
	PoetryValued   = &Words{List: []string{"-C", "--directory", "-P", "--project", "--with", "--without", "--only", "-E", "--extras"}}
	CondaValued    = &Words{List: []string{"-n", "--name", "-p", "--prefix", "-c", "--channel", "-f", "--file", "--override-channels", "-r", "--root-prefix"}}
)

// isPython matches the interpreters that run `-m pip`: python, python3,
// python3.12, pypy3, jython.
func isPython(name string) bool {
	return IsNumbered(name, "python") || IsNumbered(name, "pypy") || name == "jython"
}

// PipArgsStart returns where pip's own arguments start: 0 for pip, after
// "-m pip" for python -m pip; -1 when the call is not pip.
func PipArgsStart(c *dockerfile.Call) int {
	if IsNumbered(c.Name, "pip") {
		return 0
	}
	if !isPython(c.Name) {
		return -1
	}
	for i := 0; i < len(c.Args); i++ {
		a := c.Args[i]
		if a.Value == "-m" && i+1 < len(c.Args) && IsNumbered(c.Args[i+1].Value, "pip") {
			return i + 2
		}
		if !strings.HasPrefix(a.Value, "-") {
			return -1 // a script: python setup.py ...
		}
		if pythonValued.Has(a.Value) {
			i++
		}
	}
	return -1
}

// packagesAfter returns the operands after index sub, skipping the options
// in valued with their separate values.
func packagesAfter(c *dockerfile.Call, sub int, valued *Words) []dockerfile.Word {
	var out []dockerfile.Word
	for i := sub + 1; i < len(c.Args); i++ {
		a := c.Args[i]
		if a.Value == "--" {
			continue
		}
		if a.Literal && strings.HasPrefix(a.Value, "-") && len(a.Value) > 1 {
			if valued.Has(a.Value) {
				i++
			}
			continue
		}
		if out == nil {
			// Sized for every operand left: package lists are long, and
			// growing the slice word by word cost more than the few
			// options it may leave unused.
			out = make([]dockerfile.Word, 0, len(c.Args)-i)
		}
		out = append(out, a)
	}
	return out
}

// optionValues returns the values of an option given as "-o V", "--opt V"
// or "--opt=V" (names lists the spellings).
func optionValues(c *dockerfile.Call, names ...string) []dockerfile.Word {
	var out []dockerfile.Word
	for i, a := range c.Args {
		for _, n := range names {
			switch {
			case a.Value == n && i+1 < len(c.Args):
				out = append(out, c.Args[i+1])
			case strings.HasPrefix(n, "--") && strings.HasPrefix(a.Value, n+"="):
				w := a
				w.Value = a.Value[len(n)+1:]
				out = append(out, w)
			}
		}
	}
	return out
}

// Installs returns the package installs and downloads of the RUN, in order.
func (r *Run) Installs() []Install {
	if !r.instDone {
		r.instDone = true
		for i, c := range r.Calls {
			if u, ok := classifyInstall(c); ok {
				u.Index = i
				r.installs = append(r.installs, u)
			}
		}
	}
	return r.installs
}

// sub recognises "<name> ... <sub>" with sub in subs.
func sub(c *dockerfile.Call, m Manager, valued, subs *Words) (Install, bool) {
	i, ok := Subcommand(c, 0, valued)
	if !ok || !subs.Has(c.Args[i].Value) {
		return Install{}, false
	}
	return Install{Call: c, Manager: m, Sub: i, Rng: CallThrough(c, i), Verb: c.Name + " " + c.Args[i].Value}, true
}

var (
	yarnInstalls     = &Words{List: []string{"install", "add"}}
	pnpmInstalls     = &Words{List: []string{"install", "i", "add", "ci"}}
	composerInstalls = &Words{List: []string{"install", "i", "update", "u", "upgrade", "require", "r"}}
	poetryInstalls   = &Words{List: []string{"install", "add", "update", "sync"}}
	pipenvInstalls   = &Words{List: []string{"install", "sync"}}
	condaInstalls    = &Words{List: []string{"install", "create", "update", "upgrade"}}
	condaManagers    = &Words{List: []string{"conda", "mamba", "micromamba"}}
)

// classifyInstall recognises one install call.
func classifyInstall(c *dockerfile.Call) (Install, bool) {
	switch {
	case c.Name == "":
		return Install{}, false
	case aptManagers.Has(c.Name):
		op, i := AptClassify(c)
		if op != AptInstall {
			return Install{}, false
		}
		return Install{Call: c, Manager: Apt, Sub: i, Rng: CallThrough(c, i), Verb: c.Name + " " + c.Args[i].Value,
			Packages: packagesAfter(c, i, AptValued)}, true
	case c.Name == "apk":
		u, ok := sub(c, Apk, ApkValued, apkAdd)
		if ok {
			u.Packages = packagesAfter(c, u.Sub, ApkValued)
			if v := optionValues(c, "-t", "--virtual"); len(v) > 0 {
				u.Virtual = v[0].Value
			}
		}
		return u, ok
	case RpmManagers.Has(c.Name):
		return rpmInstall(c)
	case c.Name == "zypper":
		u, ok := sub(c, Zypper, ZypperValued, zypperInstalls)
		if ok {
			u.Packages = packagesAfter(c, u.Sub, ZypperValued)
		}
		return u, ok
	case c.Name == "uv":
		return uvInstall(c)
	case c.Name == "npm":
		u, ok := sub(c, Npm, NpmValued, npmInstalls)
		if ok {
			u.Packages = packagesAfter(c, u.Sub, NpmValued)
			if len(u.Packages) == 0 || npmCleanInstalls.Has(c.Args[u.Sub].Value) {
				u.Manifests, u.LockFiles = []string{"package.json"}, []string{"package-lock.json", "npm-shrinkwrap.json"}
				if c.HasOption("", "--no-package-lock") {
					u.LockFiles = nil // npm neither reads nor writes a lock file
				}
			}
		}
		return u, ok
	case c.Name == "yarn":
		i, ok := Subcommand(c, 0, YarnValued)
		if !ok { // `yarn` alone installs; `yarn --version` does not
			if c.HasOperands() || c.HasOption("vh", "--version", "--help") {
				return Install{}, false
			}
			return Install{Call: c, Manager: Yarn, Sub: -1, Rng: c.NameRange, Verb: "yarn",
				Manifests: []string{"package.json"}, LockFiles: []string{"yarn.lock"}}, true
		}
		u, ok := sub(c, Yarn, YarnValued, yarnInstalls)
		if ok && c.Args[i].Value == "install" {
			u.Manifests, u.LockFiles = []string{"package.json"}, []string{"yarn.lock"}
		}
		return u, ok
	case c.Name == "pnpm":
		u, ok := sub(c, Pnpm, PnpmValued, pnpmInstalls)
		if ok && c.Args[u.Sub].Value != "add" {
			u.Manifests, u.LockFiles = []string{"package.json"}, []string{"pnpm-lock.yaml"}
		}
		return u, ok
	case c.Name == "composer" || c.Name == "composer.phar":
		u, ok := sub(c, Composer, ComposerValued, composerInstalls)
		if ok && (c.Args[u.Sub].Value == "install" || c.Args[u.Sub].Value == "i") {
			u.Manifests, u.LockFiles = []string{"composer.json"}, []string{"composer.lock"}
		}
		return u, ok
	case c.Name == "poetry":
		u, ok := sub(c, Poetry, PoetryValued, poetryInstalls)
		if ok && (c.Args[u.Sub].Value == "install" || c.Args[u.Sub].Value == "sync") {
			u.Manifests, u.LockFiles = []string{"pyproject.toml"}, []string{"poetry.lock"}
		}
		return u, ok
	case c.Name == "pipenv":
		u, ok := sub(c, Pipenv, nil, pipenvInstalls)
		if ok && len(packagesAfter(c, u.Sub, nil)) == 0 {
			u.Manifests, u.LockFiles = []string{"Pipfile"}, []string{"Pipfile.lock"}
		}
		return u, ok
	case condaManagers.Has(c.Name):
		i, ok := Subcommand(c, 0, CondaValued)
		if ok && c.Args[i].Value == "env" {
			j, ok := Subcommand(c, i+1, CondaValued)
			if !ok || (c.Args[j].Value != "create" && c.Args[j].Value != "update") {
				return Install{}, false
			}
			return Install{Call: c, Manager: Conda, Sub: j, Rng: CallThrough(c, j), Verb: c.Name + " env " + c.Args[j].Value}, true
		}
		u, ok := sub(c, Conda, CondaValued, condaInstalls)
		if ok {
			u.Packages = packagesAfter(c, u.Sub, CondaValued)
		}
		return u, ok
	case c.Name == "bundle" || c.Name == "bundler":
		u, ok := sub(c, Bundler, nil, bundlerInstall)
		if ok {
			u.Manifests, u.LockFiles = []string{"Gemfile"}, []string{"Gemfile.lock"}
		}
		return u, ok
	case c.Name == "go":
		i, ok := Subcommand(c, 0, nil)
		if !ok || c.Args[i].Value != "mod" {
			return Install{}, false
		}
		j, ok := Subcommand(c, i+1, nil)
		if !ok || c.Args[j].Value != "download" {
			return Install{}, false
		}
		return Install{Call: c, Manager: GoMod, Sub: j, Rng: CallThrough(c, j), Verb: "go mod download",
			Manifests: []string{"go.mod"}, LockFiles: []string{"go.sum"}}, true
	case c.Name == "cargo":
		u, ok := sub(c, Cargo, nil, cargoFetch)
		if ok {
			u.Manifests, u.LockFiles = []string{"Cargo.toml"}, []string{"Cargo.lock"}
		}
		return u, ok
	case c.Name == "mvn" || c.Name == "mvnw":
		for i, a := range c.Args {
			if a.Literal && (a.Value == "dependency:go-offline" || a.Value == "dependency:resolve" ||
				strings.HasSuffix(a.Value, ":go-offline-maven-plugin:resolve-dependencies")) {
				return Install{Call: c, Manager: Maven, Sub: i, Rng: CallThrough(c, i), Verb: c.Name + " " + a.Value,
					Manifests: []string{"pom.xml"}}, true
			}
		}
		return Install{}, false
	}
	if start := PipArgsStart(c); start >= 0 {
		i, ok := Subcommand(c, start, PipValued)
		if !ok || c.Args[i].Value != "install" {
			return Install{}, false
		}
		verb := "pip install"
		if start > 0 {
			verb = c.Name + " -m pip install"
		}
		u := Install{Call: c, Manager: Pip, Sub: i, Rng: CallThrough(c, i), Verb: verb,
			Packages: packagesAfter(c, i, pipInstallValued)}
		for _, w := range optionValues(c, "-r", "--requirement") {
			u.Manifests = append(u.Manifests, w.Value)
		}
		return u, true
	}
	return Install{}, false
}

// rpmInstall recognises a yum/dnf/microdnf/tdnf call that downloads into
// the cache.
func rpmInstall(c *dockerfile.Call) (Install, bool) {
	i, ok := Subcommand(c, 0, RpmValued)
	if !ok {
		return Install{}, false
	}
	s := c.Args[i].Value
	u := Install{Call: c, Manager: Rpm, Sub: i, Rng: CallThrough(c, i), Verb: c.Name + " " + s}
	switch {
	case rpmDownloads.Has(s):
		u.Packages = packagesAfter(c, i, RpmValued)
		return u, true
	case rpmMetadata.Has(s):
		u.MetadataOnly = true
		return u, true
	case rpmGroupSubs(s) != nil:
		j, ok := Subcommand(c, i+1, RpmValued)
		if !ok || !rpmGroupSubs(s).Has(c.Args[j].Value) {
			return Install{}, false
		}
		u.Sub, u.Rng, u.Verb = j, CallThrough(c, j), u.Verb+" "+c.Args[j].Value
		return u, true
	}
	return Install{}, false
}

// uvInstall recognises `uv pip install`, `uv pip sync` and `uv sync` (uv's
// options may come first).
func uvInstall(c *dockerfile.Call) (Install, bool) {
	i, ok := Subcommand(c, 0, UvValued)
	if !ok {
		return Install{}, false
	}
	if c.Args[i].Value == "sync" {
		return Install{Call: c, Manager: Uv, Sub: i, Rng: CallThrough(c, i), Verb: "uv sync",
			Manifests: []string{"pyproject.toml"}, LockFiles: []string{"uv.lock"}}, true
	}
	if c.Args[i].Value != "pip" {
		return Install{}, false
	}
	j, ok := Subcommand(c, i+1, UvValued)
	if !ok || (c.Args[j].Value != "install" && c.Args[j].Value != "sync") {
		return Install{}, false
	}
	u := Install{Call: c, Manager: Uv, Sub: j, Rng: CallThrough(c, j), Verb: "uv pip " + c.Args[j].Value,
		Packages: packagesAfter(c, j, pipInstallValued)}
	for _, w := range optionValues(c, "-r", "--requirement") {
		u.Manifests = append(u.Manifests, w.Value)
	}
	return u, true
}

// rpmGroupSubs returns the downloading sub-commands of a yum/dnf command
// whose own sub-command decides (group, module), nil for the others.
func rpmGroupSubs(cmd string) *Words {
	switch cmd {
	case "group", "groups", "grp":
		return rpmGroupDownloads
	case "module":
		return rpmModuleDownloads
	}
	return nil
}

// The sub-commands that install for apk, bundler and cargo.
var (
	apkAdd         = &Words{List: []string{"add"}}
	bundlerInstall = &Words{List: []string{"install"}}
	cargoFetch     = &Words{List: []string{"fetch"}}
)

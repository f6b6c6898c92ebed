package rules

import (
	"cmp"
	"iter"
	"path"
	"path/filepath"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/runfacts"
)

// BuildToolsInFinalImage is DV413.
var BuildToolsInFinalImage = &rule.Rule{
	ID:       "DV413",
	Name:     "build-tools-in-final-image",
	Severity: finding.SeverityWarning,
	Summary:  "the final image keeps compilers, headers or a build toolchain: build in a separate stage",
	Doc: `Compilers, headers and build tools are needed to build an application, not to
run it. Left in the image that ships they cost hundreds of megabytes on every
node that pulls it (build-essential alone is about 250 MB, a JDK with Maven or a
Go toolchain more), slow every deployment and scale-up, and give an attacker who
gets in a ready-made compiler; every CVE in gcc or binutils shows up in the
image's scan report.

Build in a stage of its own and copy only the artifacts into a slim final
stage:
  FROM golang:1.23 AS build
  RUN go build -o /out/app ./cmd/app
  FROM gcr.io/distroless/static
  COPY --from=build /out/app /app
When a single stage must compile (a Python wheel with C code), remove the tools
in the same RUN that installed them: "apk add --virtual .build-deps gcc
musl-dev && pip install ... && apk del .build-deps", or apt-get purge
--auto-remove. A removal in a later RUN does not help: the earlier layer keeps
the bytes.

The rule reports packages installed with apt, apk, dnf/yum/microdnf, or zypper
in the final image (the target stage and the stages it is built FROM) that are
compilers or headers (build-essential, build-base, gcc, g++, clang, make, cmake,
*-dev, *-devel, golang, maven, cargo, rustc...) and that the same RUN does not
remove, and build commands (go build, cargo build, mvn package, gradle build,
npm run build, dotnet publish...) when the Dockerfile has no stage apart from
the final image, unless the same RUN removes packages afterwards (build, then
purge the toolchain). A builder stage is never reported, nor packages added to
a final image built FROM an image that already ships a compiler
(buildpack-deps, gcc, golang, rust, maven, gradle, dotnet/sdk, a -devel tag
such as nvidia/cuda:*-devel, a CUDA image other than -runtime and -base): that
image is a build environment by its choice of base.

Nor is an image whose purpose is to build, test or develop, where the
toolchain is the point. It is recognised by its path: a directory or file named
for CI, a builder, a toolbox or tests (ci/, gitlab-ci/, builder/,
Dockerfile.builder, tests/, Dockerfile.test), for development or building
(Dockerfile.dev, Dockerfile.build, dev/, private-build/; not a directory named
build alone, which holds application Dockerfiles), or .devcontainer, .github,
.gitlab, .circleci, .buildkite, .kokoro (only the path inside the repository
counts: the directories above the checkout, such as a CI workspace named
api-ci, never do); by its base: a CI or builder image
(gcr.io/cloud-builders/*, cimg/*), a development container (*/devcontainers/*)
or a Jupyter notebook; by its command: an interactive shell (CMD ["bash"]), a
build tool (make, mvn, gradle, go, gcc, buildah...), Docker in Docker or a CI
runner (gitlab-runner, runner); by having no CMD or ENTRYPOINT of its own on a
bare OS base (ubuntu, debian, alpine, fedora...), so that it runs a shell and
nothing as a service: a toolbox; or by a Docker engine or CLI installed beside
the compilers (docker-ce, docker.io): an image that builds containers is a CI
image. In such an image a package that a later RUN removes is still
reported: its author does not want it shipped, and the earlier layer keeps it
anyway.
Package names given through variables are not judged.`,
	Bad: `FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
 && pip install --no-cache-dir psycopg2 && rm -rf /var/lib/apt/lists/*`,
	Good: `FROM python:3.12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev
RUN pip wheel --no-cache-dir --wheel-dir /wheels psycopg2
FROM python:3.12-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*`,
	Check: checkBuildToolsInFinalImage,
}

var (
	// toolchainPackages are compilers, build drivers and toolchains by
	// package name (Debian, Alpine, Fedora/RHEL, openSUSE spellings).
	toolchainPackages = &words{List: []string{"build-essential", "build-base", "alpine-sdk", "gcc", "g++", "gcc-c++",
		"c++", "cpp", "clang", "llvm", "make", "cmake", "autoconf", "automake", "libtool", "gfortran",
		"golang", "golang-go", "go", "maven", "gradle", "cargo", "rustc", "rust", "ninja-build", "meson"}}
	// headerSuffixes mark development packages: headers and static libraries.
	headerSuffixes = []string{"-dev", "-devel", "-headers"}
)

// toolchainName reports whether a package name (without version or
// architecture) is a compiler, build tool or header package.
func toolchainName(name string) bool {
	if toolchainPackages.Has(name) {
		return true
	}
	for _, s := range headerSuffixes {
		if strings.HasSuffix(name, s) && len(name) > len(s) {
			return true
		}
	}
	// Versioned compilers: gcc-12, g++-13, clang-18.
	for _, p := range []string{"gcc-", "g++-", "clang-"} {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" && strings.Trim(rest, "0123456789.") == "" {
			return true
		}
	}
	return false
}

// packageName strips a version or architecture from a package operand:
// gcc=4:12.2, libssl-dev:amd64, gcc~12, musl-dev>1.2.
func packageName(v string) string {
	if i := strings.IndexAny(v, "=:<>~"); i > 0 {
		v = v[:i]
	}
	return v
}

func checkBuildToolsInFinalImage(pass *rule.Pass) {
	facts := runFacts(pass)
	// A build, CI or development image ships its toolchain on purpose: only
	// a toolchain package that the Dockerfile itself removes in a later RUN
	// (too late: the earlier layer keeps it) is reported in one.
	final := facts.Final()
	toolImage := buildEnvironment(pass.File, final)
	onToolchain := builtOnToolchainImage(pass.File)
	for ri, r := range final {
		if onToolchain {
			break // the base image already ships a compiler: a few more packages are not the cause
		}
		removals := r.Uninstalls()
		for _, u := range r.Installs() {
			switch u.Manager {
			case runfacts.Apt, runfacts.Apk, runfacts.Rpm, runfacts.Zypper:
			default:
				continue
			}
			if !addsPackages.Has(u.Call.Args[u.Sub].Value) {
				continue // an upgrade: the packages were in the image already
			}
			if removesAll(r, removals, u) {
				continue
			}
			var kept []dockerfile.Word
			for _, w := range u.Packages {
				if !w.Literal || !toolchainName(packageName(w.Value)) || removedLater(removals, u, packageName(w.Value)) {
					continue
				}
				if toolImage && !removedInLaterRun(final[ri+1:], u, packageName(w.Value)) {
					continue
				}
				kept = append(kept, w)
			}
			if len(kept) == 0 {
				continue
			}
			names := make([]string, len(kept))
			for i, w := range kept {
				names[i] = w.Value
			}
			pass.Reportf(kept[0].Range, "%s installs %s in the final image and this RUN does not remove %s: compilers and headers ship to every node and widen the attack surface; build in a separate stage and COPY --from it only the artifacts (or remove them in the same RUN, e.g. %s)",
				u.Verb, strings.Join(names, ", "), pronoun(len(names)), removalHint(u))
		}
	}
	if toolImage || len(pass.File.FinalChain()) != len(pass.File.Stages) {
		return // a build environment, or a multi-stage build: its final image is already apart from the build
	}
	for _, r := range final {
		for _, b := range r.Builds() {
			if removesAfter(r.Uninstalls(), b.Index) {
				continue // the official images' pattern: build, then purge the toolchain in the same RUN
			}
			pass.Reportf(b.Rng, "%s runs in the final image, and this Dockerfile has no other stage: the toolchain, sources and build caches ship with the result; build in a stage of its own (FROM ... AS build) and COPY --from=build only the artifacts into a slim final stage", b.Verb)
		}
	}
}

// addsPackages are the sub-commands that add packages to the image (not
// upgrades of installed ones).
// toolchainImages are the last path element of base images that are build
// environments themselves: a C compiler (buildpack-deps, gcc, golang's cgo
// toolchain), or a language SDK (dotnet/sdk, rust, maven, gradle).
var toolchainImages = &words{List: []string{"buildpack-deps", "gcc", "golang", "rust", "maven", "gradle", "sdk"}}

// builtOnToolchainImage reports whether the final image starts FROM an image
// that already ships a compiler: buildpack-deps (on which the official
// python, golang and ruby images build), golang, gcc, rust, maven, gradle,
// dotnet/sdk, a -devel tag (nvidia/cuda:*-devel carries nvcc and gcc), or a
// CUDA image other than its -runtime and -base flavours (kaixhin/cuda:7.5 is
// the toolkit).
// Such an image is a build environment by choice of base; the packages it adds
// are not what makes the image ship a toolchain.
func builtOnToolchainImage(f *dockerfile.File) bool {
	chain := f.FinalChain()
	if len(chain) == 0 || chain[0].Base == nil {
		return false
	}
	base := chain[0].Base
	if !base.IsImage() {
		return false
	}
	repo := base.Repository
	if i := strings.LastIndex(repo, "/"); i >= 0 {
		repo = repo[i+1:]
	}
	if repo == "cuda" && !strings.Contains(base.Tag, "runtime") && !strings.Contains(base.Tag, "base") {
		return true // the CUDA toolkit, nvcc included: only the -runtime and -base flavours are not
	}
	return toolchainImages.Has(repo) || strings.Contains(base.Tag, "devel")
}

var addsPackages = &words{List: []string{"install", "in", "add", "reinstall", "groupinstall", "localinstall",
	"install-n", "install-na", "install-nevra"}}

// removesAfter reports whether the RUN removes packages after call i.
func removesAfter(removals []runfacts.Uninstall, i int) bool {
	for _, rm := range removals {
		if rm.Index > i {
			return true
		}
	}
	return false
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// removalHint shows the same-RUN removal for the install's manager.
func removalHint(u runfacts.Install) string {
	switch u.Manager {
	case runfacts.Apk:
		return "`apk add --virtual .build-deps ... && ... && apk del .build-deps`"
	case runfacts.Rpm:
		return "`" + u.Call.Name + " remove -y ...`"
	case runfacts.Zypper:
		return "`zypper remove -y ...`"
	}
	return "`apt-get purge -y --auto-remove ...`"
}

// removedLater reports whether a removal after the install, in the same
// RUN and of the same manager, names the package (or names packages through
// a variable: a rule that cannot be sure stays silent).
func removedLater(removals []runfacts.Uninstall, u runfacts.Install, name string) bool {
	for _, rm := range removals {
		if rm.Index <= u.Index || rm.Manager != u.Manager {
			continue
		}
		for _, w := range rm.Packages {
			if !w.Literal || packageName(w.Value) == name {
				return true
			}
		}
	}
	return false
}

// removesAll reports whether a later removal of the same RUN takes every
// package of the install away: apk del of its --virtual name, or an apt
// autoremove after `apt-mark auto` (the official images' pattern of marking
// what was installed for the build as removable).
func removesAll(r *runfacts.Run, removals []runfacts.Uninstall, u runfacts.Install) bool {
	markedAuto := false
	for _, c := range r.Calls[u.Index+1:] {
		if c.Name == "apt-mark" && len(c.Args) > 0 && c.Args[0].Value == "auto" {
			markedAuto = true
		}
	}
	for _, rm := range removals {
		if rm.Index <= u.Index || rm.Manager != u.Manager {
			continue
		}
		if u.Virtual != "" {
			for _, w := range rm.Packages {
				if w.Value == u.Virtual {
					return true
				}
			}
		}
		if rm.AutoRemove && markedAuto {
			return true
		}
	}
	return false
}

// removedInLaterRun reports whether a RUN after the install's (runs, in
// build order) removes the package by its literal name, or the install's
// --virtual name, with the same manager.
func removedInLaterRun(runs []*runfacts.Run, u runfacts.Install, name string) bool {
	for _, r := range runs {
		for _, rm := range r.Uninstalls() {
			if rm.Manager != u.Manager {
				continue
			}
			for _, w := range rm.Packages {
				if w.Literal && (packageName(w.Value) == name || u.Virtual != "" && w.Value == u.Virtual) {
					return true
				}
			}
		}
	}
	return false
}

// buildEnvironment reports whether the Dockerfile builds an image whose
// purpose is to build, test or develop rather than to run an application, by
// signals that hold on real files (measured on the 2,190-file corpus):
//   - its path names it so: a directory or file named for CI, a builder, a
//     toolbox or tests (ci/, gitlab-ci/, builder/, Dockerfile.builder,
//     Dockerfile.test), a development or build image by its file or
//     directory name (Dockerfile.dev, Dockerfile.build, dev/,
//     private-build/), or a CI or development
//     container directory (.devcontainer, .github, .gitlab, .circleci,
//     .buildkite, .kokoro);
//   - its base is named as a CI, builder, development-container or notebook
//     image (gcr.io/cloud-builders/*, cimg/*, */devcontainers/*,
//     jupyter/*-notebook);
//   - the image's command is an interactive shell, a build tool or a CI
//     runner (CMD ["bash"], ENTRYPOINT ["mvn"], gitlab-runner);
//   - it declares no command and starts FROM a bare OS image (ubuntu,
//     debian, alpine, fedora...), whose command is a shell: nothing in the
//     image runs as a service, it is a toolbox;
//   - it installs a Docker engine or CLI (docker-ce, docker.io,
//     docker-buildx-plugin...): with compilers beside it, an image that
//     builds containers is a CI image (all 7 such files of the corpus are).
//
// A build directory alone (build/package/Dockerfile) and -deps names (.NET's
// runtime-deps) are not signals: on the corpus they hold application and
// runtime images.
func buildEnvironment(f *dockerfile.File, final []*runfacts.Run) bool {
	if namedAsBuildEnvironment(cmp.Or(f.RepoName, f.Name)) || installsDocker(final) {
		return true
	}
	chain := f.FinalChain()
	if len(chain) == 0 {
		return false
	}
	base := chain[0].Base
	if base != nil && base.IsImage() && baseIsBuildEnvironment(base.Repository) {
		return true
	}
	fc := f.FinalCommand()
	if !fc.Declared() {
		return base != nil && base.IsImage() && osImage(base.Repository)
	}
	return toolCommand(fc.Argv())
}

var (
	// buildDirTokens mark a build, CI, test or toolbox image wherever they
	// appear in the path, alone or as a dash-, dot- or underscore-separated
	// part of a name (gitlab-ci, remote-builder, Dockerfile.test).
	buildDirTokens = &words{List: []string{"ci", "builder", "builders", "toolbox", "test", "tests"}}
	// buildFileTokens mark one in the file name (Dockerfile.dev,
	// Dockerfile.build, build.Dockerfile); build also in a compound directory
	// name (private-build/, build-tools/: 7 of 7 such corpus files build
	// things), but a directory named build alone holds the application's own
	// Dockerfile as often as not (build/package/Dockerfile).
	buildFileTokens = &words{List: []string{"dev", "devel", "build"}}
	// buildDirs are directories that hold development and CI images.
	buildDirs = &words{List: []string{".devcontainer", ".github", ".gitlab", ".circleci", ".buildkite", ".kokoro", "dev", "devel"}}
)

// namedAsBuildEnvironment reports whether a Dockerfile's path names it as a
// build, CI, test or development image.
func namedAsBuildEnvironment(name string) bool {
	// Element by element, without splitting: every file's path is asked.
	rest := filepath.ToSlash(name)
	for {
		part, after, isDir := strings.Cut(rest, "/")
		part = strings.ToLower(part)
		if isDir && buildDirs.Has(part) {
			return true
		}
		// More than one token: a separator between two of them.
		compound := strings.ContainsFunc(strings.Trim(part, "-_."), isNameSeparator)
		for tok := range nameTokens(part) {
			// build counts as part of a compound directory name
			// (private-build, build-tools), not as a whole one (build/).
			if buildDirTokens.Has(tok) || (!isDir || compound) && tok == "build" || !isDir && buildFileTokens.Has(tok) {
				return true
			}
		}
		if !isDir {
			return false
		}
		rest = after
	}
}

// nameTokens yields the parts of a path element or repository name
// between dashes, underscores and dots (gitlab-ci, remote_builder,
// Dockerfile.test).
func nameTokens(name string) iter.Seq[string] {
	return strings.FieldsFuncSeq(name, isNameSeparator)
}

func isNameSeparator(r rune) bool { return r == '-' || r == '_' || r == '.' }

// ciImageOwners are the registry namespaces of CI vendors' build images
// (CircleCI's convenience images).
var ciImageOwners = &words{List: []string{"cimg", "circleci"}}

// baseIsBuildEnvironment reports whether a base image repository is named as
// a CI or builder image (gcr.io/cloud-builders/go, cimg/python), a
// development container (mcr.microsoft.com/devcontainers/python) or a Jupyter
// notebook (quay.io/jupyter/scipy-notebook): images made to build or to work
// in, whose users compile.
func baseIsBuildEnvironment(repo string) bool {
	parts := strings.Split(strings.ToLower(repo), "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		parts = parts[1:] // the registry host names no purpose
	}
	for i, part := range parts {
		if i == 0 && len(parts) > 1 && ciImageOwners.Has(part) {
			return true
		}
		if part == "jupyter" || strings.HasSuffix(part, "-notebook") {
			return true
		}
		for tok := range nameTokens(part) {
			if tok == "ci" || tok == "builder" || tok == "builders" || tok == "devcontainer" || tok == "devcontainers" {
				return true
			}
		}
	}
	return false
}

// dockerPackages are the Docker engine, CLI and builder packages of the
// distributions and of Docker's own repositories.
var dockerPackages = &words{List: []string{"docker-ce", "docker-ce-cli", "docker.io", "docker-engine", "docker-cli",
	"docker-buildx-plugin", "docker-buildx", "moby-engine", "moby-cli"}}

// installsDocker reports whether a RUN of the final image installs Docker.
func installsDocker(final []*runfacts.Run) bool {
	for _, r := range final {
		for _, u := range r.Installs() {
			switch u.Manager {
			case runfacts.Apt, runfacts.Apk, runfacts.Rpm, runfacts.Zypper:
			default:
				continue
			}
			for _, w := range u.Packages {
				if dockerPackages.Has(packageName(w.Value)) {
					return true
				}
			}
		}
	}
	return false
}

// osImages are bare operating-system images: their command is a shell.
var osImages = &words{List: []string{"ubuntu", "debian", "alpine", "fedora", "centos", "rockylinux", "almalinux",
	"amazonlinux", "oraclelinux", "archlinux", "opensuse", "leap", "tumbleweed", "photon", "busybox",
	"ubi", "ubi7", "ubi8", "ubi9", "ubi10", "ubi-minimal", "ubi8-minimal", "ubi9-minimal", "clearlinux", "mageia"}}

// osImage reports whether a repository is a bare OS image, also when its
// name carries the release (gcr.io/gcp-runtimes/ubuntu_20_0_4,
// launcher.gcr.io/google/debian8).
func osImage(repo string) bool {
	if i := strings.LastIndex(repo, "/"); i >= 0 {
		repo = repo[i+1:]
	}
	return osImages.Has(repo) || osImages.Has(strings.TrimRight(repo, "0123456789._-"))
}

var (
	// shells started with no script are an interactive toolbox.
	shells = &words{List: []string{"sh", "bash", "zsh", "ash", "dash", "ksh", "mksh", "fish"}}
	// initWrappers start the real command as their child.
	initWrappers = &words{List: []string{"tini", "tini-static", "dumb-init", "catatonit"}}
	// buildCommands are build tools and compilers (of programs, esy for
	// OCaml and Reason, images: buildah, or mobile apps: fastlane), Docker in Docker (hack/dind), and
	// CI job runners (the
	// name GitLab, Buildkite, Jenkins, Gitea and Kubernetes' prow give them).
	buildCommands = &words{List: []string{"make", "gmake", "cmake", "ninja", "meson", "mvn", "mvnw", "gradle", "gradlew",
		"ant", "sbt", "bazel", "bazelisk", "gcc", "g++", "cc", "c++", "clang", "clang++", "javac", "go",
		"cargo", "rustc", "esy", "buildah", "fastlane", "dind", "gitlab-runner", "buildkite-agent", "jenkins-agent", "jenkins-slave", "act_runner",
		"runner", "runner.sh"}}
)

// toolCommand reports whether a command line starts an interactive shell, a
// build tool or a CI runner, after an init wrapper (tini --) and through a
// shell that runs a script file (bash /usr/local/bin/runner). A shell with
// -c runs a command line this check cannot see: not a tool command.
func toolCommand(argv []string) bool {
	for len(argv) > 0 && initWrappers.Has(path.Base(argv[0])) {
		argv = argv[1:]
		for len(argv) > 0 && strings.HasPrefix(argv[0], "-") {
			argv = argv[1:] // the wrapper's options and the -- before the command
		}
	}
	if len(argv) == 0 {
		return false
	}
	prog := path.Base(argv[0])
	if shells.Has(prog) {
		for _, a := range argv[1:] {
			if a == "-c" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsRune(a, 'c') {
				return false
			}
			if !strings.HasPrefix(a, "-") {
				return buildCommands.Has(path.Base(a)) // a script file: judged by its name
			}
		}
		return true // a shell alone: a toolbox to work in
	}
	if (prog == "go" || prog == "cargo") && len(argv) > 1 && argv[1] == "run" {
		return false // an application compiled as it starts: it ships its toolchain to run
	}
	return buildCommands.Has(prog)
}

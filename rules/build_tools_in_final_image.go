package rules

import (
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
purge the toolchain). A builder stage is never reported, nor a Dockerfile in a
.devcontainer directory (a development environment wants its compilers), nor
packages added to a final image built FROM an image that already ships a
compiler (buildpack-deps, gcc, golang, rust, maven, gradle, dotnet/sdk, a
-devel tag such as nvidia/cuda:*-devel): that image is a build environment by
its choice of base.
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
	toolchainPackages = wordSet("build-essential", "build-base", "alpine-sdk", "gcc", "g++", "gcc-c++",
		"c++", "cpp", "clang", "llvm", "make", "cmake", "autoconf", "automake", "libtool", "gfortran",
		"golang", "golang-go", "go", "maven", "gradle", "cargo", "rustc", "rust", "ninja-build", "meson")
	// headerSuffixes mark development packages: headers and static libraries.
	headerSuffixes = []string{"-dev", "-devel", "-headers"}
)

// toolchainName reports whether a package name (without version or
// architecture) is a compiler, build tool or header package.
func toolchainName(name string) bool {
	if toolchainPackages[name] {
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
	if isDevContainer(pass.File.Name) {
		return // a development environment: its toolchain is the point
	}
	facts := runFacts(pass)
	onToolchain := builtOnToolchainImage(pass.File)
	for _, r := range facts.Final() {
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
			if !addsPackages[u.Call.Args[u.Sub].Value] {
				continue // an upgrade: the packages were in the image already
			}
			if removesAll(r, removals, u) {
				continue
			}
			var kept []dockerfile.Word
			for _, w := range u.Packages {
				if w.Literal && toolchainName(packageName(w.Value)) && !removedLater(removals, u, packageName(w.Value)) {
					kept = append(kept, w)
				}
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
	if len(pass.File.FinalChain()) != len(pass.File.Stages) {
		return // a multi-stage build: its final image is already apart from the build
	}
	for _, r := range facts.Final() {
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
var toolchainImages = wordSet("buildpack-deps", "gcc", "golang", "rust", "maven", "gradle", "sdk")

// builtOnToolchainImage reports whether the final image starts FROM an image
// that already ships a compiler: buildpack-deps (on which the official
// python, golang and ruby images build), golang, gcc, rust, maven, gradle,
// dotnet/sdk, or a -devel tag (nvidia/cuda:*-devel carries nvcc and gcc).
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
	return toolchainImages[repo] || strings.Contains(base.Tag, "devel")
}

var addsPackages = wordSet("install", "in", "add", "reinstall", "groupinstall", "localinstall",
	"install-n", "install-na", "install-nevra")

// removesAfter reports whether the RUN removes packages after call i.
func removesAfter(removals []runfacts.Uninstall, i int) bool {
	for _, rm := range removals {
		if rm.Index > i {
			return true
		}
	}
	return false
}

// isDevContainer reports whether a Dockerfile lies in a .devcontainer
// directory (the Development Containers convention): it builds a
// development environment, whose compilers and headers are wanted.
func isDevContainer(name string) bool {
	for _, part := range strings.Split(filepath.ToSlash(name), "/") {
		if part == ".devcontainer" {
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

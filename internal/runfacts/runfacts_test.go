package runfacts

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
)

// lastRun parses src and returns the facts of its last RUN.
func lastRun(t *testing.T, src string) *Run {
	t.Helper()
	f, err := dockerfile.Parse("Dockerfile", []byte(src), dockerfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var last *dockerfile.Instruction
	for _, in := range f.Instructions {
		if in.Keyword == "RUN" {
			last = in
		}
	}
	r := New(f).Run(last)
	if r == nil {
		t.Fatalf("no RUN in %q", src)
	}
	return r
}

func words(ws []dockerfile.Word) string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Value)
	}
	return strings.Join(out, ",")
}

func TestInstalls(t *testing.T) {
	tests := []struct {
		run  string
		want []string // "manager verb [packages] {manifests}"
	}{
		{"apt-get update && apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confnew curl ca-certificates",
			[]string{"apt apt-get install [curl,ca-certificates] {}"}},
		{"apk add --no-cache --virtual .build-deps gcc musl-dev", []string{"apk apk add [gcc,musl-dev] {}"}},
		{"dnf -y --setopt=tsflags=nodocs install httpd && dnf clean all", []string{"rpm dnf install [httpd] {}"}},
		{"dnf -y group install 'Development Tools'", []string{"rpm dnf group install [] {}"}},
		{"zypper -n in curl", []string{"zypper zypper in [curl] {}"}},
		{"python3 -m pip install -r requirements/prod.txt flask", []string{"pip python3 -m pip install [flask] {requirements/prod.txt}"}},
		{"uv pip install --system -r requirements.txt", []string{"uv uv pip install [] {requirements.txt}"}},
		{"uv sync --frozen", []string{"uv uv sync [] {pyproject.toml,uv.lock}"}},
		{"npm ci --omit=dev", []string{"npm npm ci [] {package.json,package-lock.json,npm-shrinkwrap.json}"}},
		{"npm install -g pnpm", []string{"npm npm install [pnpm] {}"}},
		{"yarn --frozen-lockfile", []string{"yarn yarn [] {package.json,yarn.lock}"}},
		{"yarn --version", nil},
		{"pnpm install --frozen-lockfile", []string{"pnpm pnpm install [] {package.json,pnpm-lock.yaml}"}},
		{"composer install --no-dev", []string{"composer composer install [] {composer.json,composer.lock}"}},
		{"poetry install --no-root", []string{"poetry poetry install [] {pyproject.toml,poetry.lock}"}},
		{"conda install -y -c conda-forge numpy", []string{"conda conda install [numpy] {}"}},
		{"bundle install --jobs 4", []string{"bundler bundle install [] {Gemfile,Gemfile.lock}"}},
		{"go mod download", []string{"go go mod download [] {go.mod,go.sum}"}},
		{"cargo fetch", []string{"cargo cargo fetch [] {Cargo.toml,Cargo.lock}"}},
		{"mvn -B dependency:go-offline", []string{"maven mvn dependency:go-offline [] {pom.xml}"}},
		{"sudo sh -c 'apk add curl'", []string{"apk apk add [curl] {}"}},
		{"pip download flask && apt-get remove -y curl", nil},
	}
	for _, tt := range tests {
		t.Run(tt.run, func(t *testing.T) {
			r := lastRun(t, "FROM debian\nRUN "+tt.run+"\n")
			var got []string
			for _, u := range r.Installs() {
				got = append(got, fmt.Sprintf("%s %s [%s] {%s}", u.Manager, u.Verb, words(u.Packages), strings.Join(append(slices.Clone(u.Manifests), u.LockFiles...), ",")))
				if r.Calls[u.Index] != u.Call {
					t.Errorf("Index %d does not point at the call", u.Index)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUninstalls(t *testing.T) {
	tests := []struct {
		run  string
		want []string // "manager [packages] autoremove"
	}{
		{"apt-get purge -y --auto-remove gcc make", []string{"apt [gcc,make] true"}},
		{"apt-get autoremove -y", []string{"apt [] true"}},
		{"apk del .build-deps", []string{"apk [.build-deps] false"}},
		{"dnf remove -y gcc", []string{"rpm [gcc] false"}},
		{"apt-get install -y gcc", nil},
	}
	for _, tt := range tests {
		t.Run(tt.run, func(t *testing.T) {
			var got []string
			for _, u := range lastRun(t, "FROM debian\nRUN "+tt.run+"\n").Uninstalls() {
				got = append(got, fmt.Sprintf("%s [%s] %v", u.Manager, words(u.Packages), u.AutoRemove))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPipes(t *testing.T) {
	tests := []struct {
		shell string // SHELL instruction, "" for none
		run   string
		want  []string // "producer>consumer pipefail"
	}{
		{"", "curl -fsSL https://x/install.sh | sh", []string{"curl>sh false"}},
		{"", "wget -qO- https://x/a.tgz | tar -xz -C /opt", []string{"wget>tar false"}},
		{"", "curl -s https://x | gpg --dearmor | tee /k.gpg", []string{"curl>gpg false", "gpg>tee false"}},
		{"", "(curl https://x; echo) | sh", []string{"curl>sh false", "echo>sh false"}},
		{"", "set -o pipefail && curl https://x | sh", []string{"curl>sh true"}},
		{"", "set -euxo pipefail; curl https://x | sh", []string{"curl>sh true"}},
		{"", "curl https://x | sh; set -o pipefail", []string{"curl>sh false"}},
		{"", "set -o pipefail; set +o pipefail; curl https://x | sh", []string{"curl>sh false"}},
		{"", "bash -o pipefail -c 'curl https://x | sh'", []string{"curl>sh true"}},
		{`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`, "curl https://x | sh", []string{"curl>sh true"}},
		{`SHELL ["/bin/ash", "-eo", "pipefail", "-c"]`, "curl https://x | sh", []string{"curl>sh true"}},
		{`SHELL ["/bin/bash", "-c"]`, "curl https://x | sh", []string{"curl>sh false"}},
		{"", "curl -o /tmp/x https://x && sh /tmp/x", nil},
	}
	for _, tt := range tests {
		t.Run(tt.shell+" "+tt.run, func(t *testing.T) {
			src := "FROM debian\n"
			if tt.shell != "" {
				src += tt.shell + "\n"
			}
			var got []string
			for _, p := range lastRun(t, src+"RUN "+tt.run+"\n").Pipes() {
				got = append(got, fmt.Sprintf("%s>%s %v", p.Producer.Name, p.Consumer.Name, p.Pipefail))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBuilds(t *testing.T) {
	tests := []struct {
		run  string
		want []string
	}{
		{"go build -o /app ./cmd/app", []string{"go build"}},
		{"CGO_ENABLED=0 go install ./...", []string{"go install"}},
		{"go mod download", nil},
		{"cargo build --release", []string{"cargo build"}},
		{"mvn -B clean package -DskipTests", []string{"mvn package"}},
		{"./gradlew clean bootJar", []string{"gradlew bootJar"}},
		{"npm ci && npm run build", []string{"npm run build"}},
		{"yarn build", []string{"yarn build"}},
		{"pnpm build", []string{"pnpm build"}},
		{"npm run test", nil},
		{"dotnet publish -c Release -o /out", []string{"dotnet publish"}},
		{"dotnet restore", nil},
	}
	for _, tt := range tests {
		t.Run(tt.run, func(t *testing.T) {
			var got []string
			for _, b := range lastRun(t, "FROM debian\nRUN "+tt.run+"\n").Builds() {
				got = append(got, b.Verb)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAptRun(t *testing.T) {
	tests := []struct {
		run               string
		pending, leftover bool
		updateAlone       bool
	}{
		{"apt-get update && apt-get install -y curl", true, true, false},
		{"apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*", false, false, false},
		{"apt-get update && apt-get install -y curl || rm -rf /var/lib/apt/lists/*", true, true, false},
		{"apt-get update", true, true, true},
		{"apt-get update && ./install.sh", true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.run, func(t *testing.T) {
			a := lastRun(t, "FROM debian\nRUN "+tt.run+"\n").Apt()
			_, alone := a.UpdateAlone()
			if got := len(a.Pending) > 0; got != tt.pending || a.Leftover() != tt.leftover || alone != tt.updateAlone {
				t.Errorf("pending %v leftover %v alone %v, want %v %v %v", got, a.Leftover(), alone, tt.pending, tt.leftover, tt.updateAlone)
			}
		})
	}
}

// TestSharedOncePerRun checks that the facts of a RUN are computed once and
// shared: two asks return the same value.
func TestSharedOncePerRun(t *testing.T) {
	f, err := dockerfile.Parse("Dockerfile", []byte("FROM debian\nRUN apt-get update && apt-get install -y curl\n"), dockerfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	facts := New(f)
	a, b := facts.Final()[0], facts.Run(f.Stages[0].Instructions[0])
	if a != b || a.Apt() != b.Apt() || &a.Installs()[0] != &b.Installs()[0] {
		t.Fatal("the facts of one RUN were computed twice")
	}
}

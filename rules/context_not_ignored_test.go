package rules

import (
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestContextNotIgnored(t *testing.T) {
	repo := []string{
		sized(".git/objects/pack/p.pack", 120*mib), ".git/HEAD",
		sized("node_modules/react/index.js", 3*mib),
		".env:SECRET=1\n",
		".env.example:SECRET=\n",
		"src/app.js",
	}
	tests := []struct {
		name    string
		context []string
		src     string
		want    []string
	}{
		{"no .dockerignore", repo, "FROM node:22\nWORKDIR /app\nCOPY . .\n",
			[]string{"3:6-3:7|COPY . . sends .env (9 B), .git/ (120 MiB) and node_modules/ (3 MiB) from the build context CTX/: secrets in a layer are readable by anyone who can pull the image, and bulky paths bloat it; there is no .dockerignore: create one that excludes them"}},
		{"all ignored", append([]string{".dockerignore:.git\nnode_modules\n.env\n"}, repo...), "FROM node:22\nCOPY . /app\n", nil},
		{"partly ignored", append([]string{".dockerignore:.git\n"}, repo...), "FROM node:22\nCOPY ./ /app\n",
			[]string{"2:6-2:8|COPY ./ /app sends .env (9 B) and node_modules/ (3 MiB)|; add them to .dockerignore, or COPY only what the image needs"}},
		{"bulky only", []string{sized(".git/x", mib), "a"}, "FROM alpine:3\nADD . /src\n",
			[]string{"2:5-2:6|ADD . /src sends .git/ (1 MiB)|: they bloat the layer and change on every build;"}},
		{"nested paths, reported once per directory", []string{"packages/a/node_modules/x/y", "packages/a/node_modules/.env", "deploy/id_rsa", "deploy/id_rsa.pub", "certs/tls.pem", "infra/terraform.tfstate", "infra/.terraform/providers/p"},
			"FROM alpine:3\nCOPY . /app\n",
			[]string{"2:6-2:7|sends certs/tls.pem (1 B), deploy/id_rsa (1 B), infra/terraform.tfstate (1 B) and 2 more from"}},
		{"a named directory is intended", repo, "FROM node:22\nCOPY node_modules /app/node_modules\nCOPY .env /app/\n", nil},
		{"--exclude", append([]string{".dockerignore:.env\n"}, repo...), "# syntax=docker/dockerfile:1.7-labs\nFROM node:22\nCOPY --exclude=.git --exclude=node_modules . /app\n", nil},
		{"builder stage that the target copies from", []string{sized(".git/x", mib)}, "FROM golang:1 AS build\nCOPY . /src\nRUN go build -o /app /src\nFROM scratch\nCOPY --from=build /app /app\n",
			[]string{"2:6-2:7|COPY . /src sends .git/ (1 MiB)"}},
		{"stage the target does not need", []string{sized(".git/x", mib)}, "FROM golang:1 AS dev\nCOPY . /src\nFROM scratch AS prod\nCOPY app /app\n", nil},
		{"COPY --from a stage is not the context", []string{sized(".git/x", mib)}, "FROM alpine:3 AS a\nRUN true\nFROM alpine:3\nCOPY --from=a . /x\n", nil},
		{"nothing hazardous", []string{"src/a.js", "README.md", ".env.sample"}, "FROM node:22\nCOPY . /app\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t, tt.context...)
			ds := ruletest.RunEnv(t, ContextNotIgnored, tt.src, dockerfile.Options{}, ruletest.Env{Context: ctx})
			checkDiagnostics(t, ds, tt.want, ctx)
		})
	}
	if ds := ruletest.Run(t, ContextNotIgnored, "FROM alpine:3\nCOPY . /app\n", dockerfile.Options{}); len(ds) != 0 {
		t.Errorf("without a context: %v", ruletest.Lines(ds))
	}
}

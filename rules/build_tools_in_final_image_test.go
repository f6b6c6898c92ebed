package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestBuildToolsInFinalImage(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
		msg  string
	}{
		{"apt build-essential", "FROM debian\nRUN apt-get install -y build-essential curl\n", []string{"2:24-2:39"},
			"apt-get install installs build-essential in the final image and this RUN does not remove it: compilers and headers ship to every node"},
		{"headers and versioned compiler", "FROM debian\nRUN apt-get install -y gcc-12 libpq-dev=15.1 curl\n", []string{"2:24-2:30"}, "installs gcc-12, libpq-dev=15.1 in the final image"},
		{"apk build-base", "FROM alpine\nRUN apk add --no-cache build-base\n", []string{"2:24-2:34"}, "apk add installs build-base"},
		{"dnf gcc-c++ and -devel", "FROM fedora\nRUN dnf install -y gcc-c++ openssl-devel\n", []string{"2:20-2:27"}, "dnf install installs gcc-c++, openssl-devel"},
		{"removed in a later RUN does not help", "FROM alpine\nRUN apk add --virtual .b gcc\nRUN apk del .b\n", []string{"2:26-2:29"}, "apk add installs gcc"},
		{"parent stage of the final image", "FROM debian AS base\nRUN apt-get install -y make\nFROM base\n", []string{"2:24-2:28"}, "installs make"},
		{"single-stage go build", "FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\n", []string{"3:5-3:13"},
			"go build runs in the final image, and this Dockerfile has no other stage"},
		{"single-stage npm run build", "FROM node:22\nCOPY . .\nRUN npm ci && npm run build\n", []string{"3:15-3:28"}, "npm run build runs in the final image"},
		{"purged by name in the same RUN", "FROM debian\nRUN apt-get install -y gcc && make && apt-get purge -y gcc\n", nil, ""},
		{"virtual removed in the same RUN", "FROM alpine\nRUN apk add --virtual .build-deps gcc musl-dev && pip install x && apk del .build-deps\n", nil, ""},
		{"apt-mark auto and autoremove", "FROM debian\nRUN apt-get install -y gcc && make && apt-mark auto '.*' && apt-get purge -y --auto-remove\n", nil, ""},
		{"removal through a variable", "FROM debian\nRUN apt-get install -y gcc && apt-get purge -y $buildDeps\n", nil, ""},
		{"packages through a variable", "FROM debian\nRUN apt-get install -y $buildDeps\n", nil, ""},
		{"runtime libraries", "FROM debian\nRUN apt-get install -y libpq5 curl devscripts-el\n", nil, ""},
		{"upgrade of an installed package", "FROM debian\nRUN apt-get upgrade -y libssl-dev\n", nil, ""},
		{"builder stage", "FROM golang AS build\nRUN apt-get install -y gcc && go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n", nil, ""},
		{"build in the final stage of a multi-stage file", "FROM node AS deps\nRUN npm ci\nFROM node\nRUN npm run build\n", nil, ""},
		// A base that already ships a compiler makes the image a build
		// environment: the packages it adds are not the cause.
		{"on buildpack-deps", "FROM buildpack-deps:bookworm\nRUN apt-get install -y tk-dev uuid-dev\n", nil, ""},
		{"on dotnet/sdk through an ARG", "ARG REPO=mcr.microsoft.com/dotnet/sdk\nFROM $REPO:10.0-alpine\nRUN apk add --no-cache build-base clang\n", nil, ""},
		{"on a cuda -devel tag", "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04\nRUN apt-get install -y python3-dev\n", nil, ""},
		{"on golang, a single-stage build still reported", "FROM golang:1.23\nRUN apt-get install -y gcc\nCOPY . .\nRUN go build -o /app .\n", []string{"4:5-4:13"}, "go build runs in the final image"},
		{"on a runtime image still reported", "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN apt-get install -y python3-dev\n", []string{"2:24-2:35"}, "installs python3-dev"},
		{"build with the toolchain purged in the same RUN", "FROM debian\nRUN apt-get install -y golang && go build -o /app . && apt-get purge -y --auto-remove golang\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, BuildToolsInFinalImage, tt.src, dockerfile.Options{})
			if dev := runDevContainer(t, tt.src); len(dev) != 0 {
				t.Errorf("reported in a .devcontainer directory: %v", ruletest.Lines(dev))
			}
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

// runDevContainer runs the rule on src as .devcontainer/Dockerfile.
func runDevContainer(t *testing.T, src string) []rule.Diagnostic {
	t.Helper()
	f, err := dockerfile.Parse("app/.devcontainer/Dockerfile", []byte(src), dockerfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []rule.Diagnostic
	BuildToolsInFinalImage.Check(rule.NewPass(BuildToolsInFinalImage, f, func(string) bool { return true }, func(d rule.Diagnostic) { out = append(out, d) }))
	return out
}

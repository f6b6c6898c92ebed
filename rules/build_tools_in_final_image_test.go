package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestBuildToolsInFinalImage(t *testing.T) {
	const app = "CMD [\"/app\"]\n" // an application's command: the image runs a service
	tests := []struct {
		name string
		path string // "Dockerfile" when empty
		src  string
		want []string
		msg  string
		// laterRemoval: a later RUN removes the package, so even a
		// development container is reported.
		laterRemoval bool
	}{
		{name: "apt build-essential", src: "FROM debian\nRUN apt-get install -y build-essential curl\n" + app, want: []string{"2:24-2:39"},
			msg: "apt-get install installs build-essential in the final image and this RUN does not remove it: compilers and headers ship to every node"},
		{name: "headers and versioned compiler", src: "FROM debian\nRUN apt-get install -y gcc-12 libpq-dev=15.1 curl\n" + app, want: []string{"2:24-2:30"}, msg: "installs gcc-12, libpq-dev=15.1 in the final image"},
		{name: "apk build-base", src: "FROM alpine\nRUN apk add --no-cache build-base\n" + app, want: []string{"2:24-2:34"}, msg: "apk add installs build-base"},
		{name: "dnf gcc-c++ and -devel", src: "FROM fedora\nRUN dnf install -y gcc-c++ openssl-devel\n" + app, want: []string{"2:20-2:27"}, msg: "dnf install installs gcc-c++, openssl-devel"},
		{name: "removed in a later RUN does not help", src: "FROM alpine\nRUN apk add --virtual .b gcc\nRUN apk del .b\n" + app, want: []string{"2:26-2:29"}, msg: "apk add installs gcc", laterRemoval: true},
		{name: "parent stage of the final image", src: "FROM debian AS base\nRUN apt-get install -y make\nFROM base\n" + app, want: []string{"2:24-2:28"}, msg: "installs make"},
		{name: "single-stage go build", src: "FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\n" + app, want: []string{"3:5-3:13"},
			msg: "go build runs in the final image, and this Dockerfile has no other stage"},
		{name: "single-stage npm run build", src: "FROM node:22\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"node\", \"dist/server.js\"]\n", want: []string{"3:15-3:28"}, msg: "npm run build runs in the final image"},
		{name: "purged by name in the same RUN", src: "FROM debian\nRUN apt-get install -y gcc && make && apt-get purge -y gcc\n" + app},
		{name: "virtual removed in the same RUN", src: "FROM alpine\nRUN apk add --virtual .build-deps gcc musl-dev && pip install x && apk del .build-deps\n" + app},
		{name: "apt-mark auto and autoremove", src: "FROM debian\nRUN apt-get install -y gcc && make && apt-mark auto '.*' && apt-get purge -y --auto-remove\n" + app},
		{name: "removal through a variable", src: "FROM debian\nRUN apt-get install -y gcc && apt-get purge -y $buildDeps\n" + app},
		{name: "packages through a variable", src: "FROM debian\nRUN apt-get install -y $buildDeps\n" + app},
		{name: "runtime libraries", src: "FROM debian\nRUN apt-get install -y libpq5 curl devscripts-el\n" + app},
		{name: "upgrade of an installed package", src: "FROM debian\nRUN apt-get upgrade -y libssl-dev\n" + app},
		{name: "builder stage", src: "FROM golang AS build\nRUN apt-get install -y gcc && go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n" + app},
		{name: "build in the final stage of a multi-stage file", src: "FROM node AS deps\nRUN npm ci\nFROM node\nRUN npm run build\n" + app},
		// A base that already ships a compiler makes the image a build
		// environment: the packages it adds are not the cause.
		{name: "on buildpack-deps", src: "FROM buildpack-deps:bookworm\nRUN apt-get install -y tk-dev uuid-dev\n" + app},
		{name: "on dotnet/sdk through an ARG", src: "ARG REPO=mcr.microsoft.com/dotnet/sdk\nFROM $REPO:10.0-alpine\nRUN apk add --no-cache build-base clang\n" + app},
		{name: "on a cuda -devel tag", src: "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04\nRUN apt-get install -y python3-dev\n" + app},
		{name: "on golang, a single-stage build still reported", src: "FROM golang:1.23\nRUN apt-get install -y gcc\nCOPY . .\nRUN go build -o /app .\n" + app, want: []string{"4:5-4:13"}, msg: "go build runs in the final image"},
		{name: "on a CUDA toolkit image", src: "FROM kaixhin/cuda:7.5\nRUN apt-get install -y libcudnn4 libcudnn4-dev\n"},
		{name: "on a CUDA base flavour still reported", src: "FROM nvidia/cuda:12.4.1-base-ubuntu22.04\nRUN apt-get install -y python3-dev\n" + app, want: []string{"2:24-2:35"}, msg: "installs python3-dev"},
		{name: "on a runtime image still reported", src: "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN apt-get install -y python3-dev\n" + app, want: []string{"2:24-2:35"}, msg: "installs python3-dev"},
		{name: "build with the toolchain purged in the same RUN", src: "FROM debian\nRUN apt-get install -y golang && go build -o /app . && apt-get purge -y --auto-remove golang\n" + app},

		// The true positives the rule exists for: application images.
		{name: "the 3 GB Node.js service (examples/node-bad)", src: "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y python3 make g++\nRUN npm install\nCMD npm start\n",
			want: []string{"4:50-4:54"}, msg: "apt-get install installs make, g++ in the final image"},
		{name: "python-slim app with gcc and libpq-dev", src: "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev && pip install psycopg2\nCMD [\"gunicorn\", \"app:app\"]\n",
			want: []string{"2:42-2:45"}, msg: "installs gcc, libpq-dev"},
		{name: "no command on a language runtime base", src: "FROM python:3.12\nRUN apt-get install -y unixodbc-dev\n", want: []string{"2:24-2:36"}, msg: "installs unixodbc-dev"},
		{name: "go run as the command is an application", src: "FROM golang:1.23\nCOPY . .\nRUN go build ./...\nCMD [\"go\", \"run\", \".\"]\n", want: []string{"3:5-3:13"}, msg: "go build runs in the final image"},
		{name: "go as the command is a toolchain image", src: "FROM golang:1.23\nCOPY . .\nRUN go build ./...\nENTRYPOINT [\"go\"]\n"},
		{name: "a shell that runs the application", src: "FROM debian\nRUN apt-get install -y gcc\nCMD sh -c \"app 2>&1 | tee /var/log/app.log\"\n", want: []string{"2:24-2:27"}, msg: "installs gcc"},
		{name: "exec-form shell -c", src: "FROM debian\nRUN apt-get install -y gcc\nCMD [\"/bin/bash\", \"-c\", \"make run\"]\n", want: []string{"2:24-2:27"}, msg: "installs gcc"},
		{name: "a toolbox whose later RUN removes the compiler", src: "FROM ubuntu:22.04\nRUN apt-get install -y build-essential libz-dev\nRUN make\nRUN apt-get remove -y build-essential libz-dev\n",
			want: []string{"2:24-2:39"}, msg: "installs build-essential, libz-dev", laterRemoval: true},
		{name: "a CI image whose later RUN removes the compiler", path: "ci/Dockerfile", src: "FROM debian\nRUN apt-get install -y gcc make\nRUN apt-get purge -y make\n" + app,
			want: []string{"2:28-2:32"}, msg: "installs make in", laterRemoval: true},

		// Images whose purpose is to build, test or develop: their toolchain
		// is the point.
		{name: "OS base and no command: a toolbox", src: "FROM debian\nRUN apt-get install -y build-essential\n"},
		{name: "OS base with its release in the name", src: "FROM gcr.io/gcp-runtimes/ubuntu_20_0_4\nRUN apt-get install -y gcc\n"},
		{name: "OS base and no command, single-stage build", src: "FROM ubuntu:22.04\nRUN apt-get install -y golang\nCOPY . .\nRUN go build ./...\n"},
		{name: "command is a shell", src: "FROM fedora\nRUN dnf install -y gcc java-devel\nCMD [\"/usr/bin/bash\"]\n"},
		{name: "command is a login shell in shell form", src: "FROM python:3.12\nRUN apt-get install -y gcc\nCMD bash -l\n"},
		{name: "command is a shell after tini", src: "FROM python:3.12\nRUN apt-get install -y gcc\nENTRYPOINT [\"/tini\", \"--\"]\nCMD [\"bash\"]\n"},
		{name: "command is a build tool", src: "FROM eclipse-temurin:21\nRUN apt-get install -y maven\nCMD [\"mvn\"]\n"},
		{name: "command is a CI runner script", src: "FROM python:3.12\nRUN apt-get install -y build-essential\nENTRYPOINT [\"/bin/bash\", \"/usr/local/bin/runner\"]\n"},
		{name: "command is an image builder", src: "FROM centos:7\nRUN yum install -y golang make\nENTRYPOINT [\"/usr/bin/buildah\"]\n"},
		{name: "command is a package manager that builds", src: "FROM alpine:3.9\nRUN apk add gcc g++ musl-dev make\nENTRYPOINT [\"/esy/bin/esy\"]\n"},
		{name: "command is Docker in Docker", src: "FROM ubuntu:14.04\nRUN apt-get install -y build-essential libapparmor-dev\nENTRYPOINT [\"hack/dind\"]\n"},
		{name: "command is a CI agent", src: "FROM python:3.12\nRUN apt-get install -y gcc\nCMD [\"gitlab-runner\", \"run\"]\n"},
		{name: "installs Docker: a CI image", src: "FROM debian:bookworm\nRUN apt-get install -y build-essential docker-ce=5:28.* docker-buildx-plugin\nENTRYPOINT [\"wrapper.sh\"]\n"},
		{name: "installs the Docker CLI through a version variable", src: "FROM python:3.12\nRUN apt-get install -y gcc\nRUN apt-get install -y docker-ce-cli=${DOCKER_VERSION}\n" + app},
		{name: "single-stage build in a CI image", path: "docker/gitlab-ci/Dockerfile", src: "FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\n" + app},
		{name: "ci directory", path: "ci/Dockerfile", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app},
		{name: "Dockerfile.ci", path: "Dockerfile.ci", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app},
		{name: "Dockerfile.dev", path: "services/api/Dockerfile.dev", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app},
		{name: "dev directory", path: "deploy/dev/Dockerfile", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app},
		{name: "Dockerfile.build", path: "Dockerfile.build", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app},
		{name: "build in a compound directory name", path: "docker/private-build/Dockerfile", src: "FROM python:3.12\nRUN apt-get install -y gcc\n"},
		{name: "builder image", path: "images/remote-builder/Dockerfile", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app},
		{name: "test image", path: "tests/gpu/Dockerfile.cuda11", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app},
		{name: "kokoro CI", path: ".kokoro/docker/Dockerfile", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app},
		{name: "GitHub workflow image", path: ".github/actions/lint/Dockerfile", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app},
		{name: "on a cloud builder", src: "FROM gcr.io/cloud-builders/go:debian\nCOPY . .\nRUN go build -o /x .\nENTRYPOINT [\"dep.bash\"]\n"},
		{name: "on a CircleCI image", src: "FROM cimg/python:3.12\nRUN sudo apt-get install -y libkrb5-dev python3-dev\n" + app},
		{name: "on a development container image", src: "FROM mcr.microsoft.com/devcontainers/python:3.12\nRUN apt-get install -y gcc\n" + app},
		{name: "on a Jupyter notebook through ARGs", src: "ARG OWNER=jupyter\nARG BASE_IMAGE=quay.io/$OWNER/scipy-notebook\nFROM $BASE_IMAGE\nRUN apt-get install -y build-essential\n"},

		// Not signals: names that hold application and runtime images.
		{name: "build directory", path: "build/package/Dockerfile", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app, want: []string{"2:24-2:27"}, msg: "installs gcc"},
		{name: "build directory with a leading underscore", path: "_build/package/Dockerfile", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app, want: []string{"2:24-2:27"}, msg: "installs gcc"},
		{name: "runtime-deps directory", path: "src/runtime-deps/8.0/Dockerfile", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app, want: []string{"2:24-2:27"}, msg: "installs gcc"},
		{name: "dev inside a directory name", path: "aspnet-dev/web/Dockerfile", src: "FROM python:3.12\nRUN apt-get install -y gcc\n" + app, want: []string{"2:24-2:27"}, msg: "installs gcc"},
		{name: "a registry host named ci", src: "FROM ci.example.com/python:3.12\nRUN apt-get install -y gcc\n" + app, want: []string{"2:24-2:27"}, msg: "installs gcc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := tt.path
			if name == "" {
				name = "Dockerfile"
			}
			ds := runAt(t, name, tt.src)
			if dev := runAt(t, "app/.devcontainer/Dockerfile", tt.src); len(dev) != 0 && !tt.laterRemoval {
				t.Errorf("reported in a .devcontainer directory: %v", ruletest.Lines(dev))
			}
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

// runAt runs the rule on src as the Dockerfile at path name.
func runAt(t *testing.T, name, src string) []rule.Diagnostic {
	t.Helper()
	f, err := dockerfile.Parse(name, []byte(src), dockerfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []rule.Diagnostic
	BuildToolsInFinalImage.Check(rule.NewPass(BuildToolsInFinalImage, f, func(string) bool { return true }, func(d rule.Diagnostic) { out = append(out, d) }))
	return out
}

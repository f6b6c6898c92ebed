package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestPackageCacheLeft(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts dockerfile.Options
		want []string // positions
		msg  string   // a substring of the (first) message
	}{
		// apk
		{"apk add", "FROM alpine:3\nRUN apk add curl\n", dockerfile.Options{}, []string{"2:5-2:12"}, "apk add without --no-cache"},
		{"apk add --update", "FROM alpine:3\nRUN apk --update add curl\n", dockerfile.Options{}, []string{"2:5-2:21"}, "apk add without --no-cache"},
		{"apk add --virtual", "FROM alpine:3\nRUN apk add --virtual .build-deps gcc\n", dockerfile.Options{}, []string{"2:5-2:12"}, "apk add without --no-cache"},
		{"apk cleanup after ||", "FROM alpine:3\nRUN apk add curl || rm -rf /var/cache/apk/*\n", dockerfile.Options{}, []string{"2:5-2:12"}, "apk add without --no-cache"},
		{"apk, one finding per call", "FROM alpine:3\nRUN apk add curl && apk add git\n", dockerfile.Options{}, []string{"2:5-2:12", "2:21-2:28"}, "apk add without --no-cache"},
		{"apk add --no-cache", "FROM alpine:3\nRUN apk add --no-cache curl\n", dockerfile.Options{}, nil, ""},
		{"apk --no-cache add", "FROM alpine:3\nRUN apk --no-cache add curl\n", dockerfile.Options{}, nil, ""},
		{"apk add --no-network", "FROM alpine:3\nRUN apk add --no-network --virtual .rundeps $deps\n", dockerfile.Options{}, nil, ""},
		{"apk cache removed", "FROM alpine:3\nRUN apk add curl && rm -rf /var/cache/apk/*\n", dockerfile.Options{}, nil, ""},
		{"apk cache mount", "FROM alpine:3\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n", dockerfile.Options{}, nil, ""},
		{"apk del", "FROM alpine:3\nRUN apk del curl\n", dockerfile.Options{}, nil, ""},

		// yum, dnf, microdnf, tdnf, zypper
		{"yum install", "FROM rockylinux:9\nRUN yum install -y httpd\n", dockerfile.Options{}, []string{"2:5-2:16"}, "yum clean all"},
		{"dnf install, options first", "FROM fedora:41\nRUN dnf -y --setopt=tsflags=nodocs install httpd\n", dockerfile.Options{}, []string{"2:5-2:43"}, "/var/cache/dnf"},
		{"microdnf", "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y jq\n", dockerfile.Options{}, []string{"2:5-2:21"}, "microdnf clean all"},
		{"tdnf", "FROM photon:5.0\nRUN tdnf install -y jq\n", dockerfile.Options{}, []string{"2:5-2:17"}, "tdnf clean all"},
		{"zypper in", "FROM opensuse/leap:15.6\nRUN zypper -n in curl\n", dockerfile.Options{}, []string{"2:5-2:17"}, "zypper clean --all"},
		{"one finding per RUN for a clean-based manager", "FROM rockylinux:9\nRUN yum update -y && yum install -y httpd\n", dockerfile.Options{}, []string{"2:5-2:15"}, "yum update without `yum clean all`"},
		{"clean before the install does not count", "FROM rockylinux:9\nRUN yum clean all && yum install -y httpd\n", dockerfile.Options{}, []string{"2:22-2:33"}, "yum install without `yum clean all`"},
		{"dnf upgrade-minimal", "FROM fedora:41\nRUN dnf -y upgrade-minimal\n", dockerfile.Options{}, []string{"2:5-2:27"}, "dnf upgrade-minimal without `dnf clean all`"},
		{"dnf up-min alias", "FROM fedora:41\nRUN dnf -y up-min\n", dockerfile.Options{}, []string{"2:5-2:18"}, "dnf up-min without `dnf clean all`"},
		{"yum update-minimal", "FROM centos:7\nRUN yum -y update-minimal --security\n", dockerfile.Options{}, []string{"2:5-2:26"}, "yum update-minimal without `yum clean all`"},
		{"dnf rei alias", "FROM fedora:41\nRUN dnf rei -y openssl\n", dockerfile.Options{}, []string{"2:5-2:12"}, "dnf rei without"},
		{"dnf dg alias", "FROM fedora:41\nRUN dnf dg -y openssl\n", dockerfile.Options{}, []string{"2:5-2:11"}, "dnf dg without"},
		{"dnf dsync alias", "FROM fedora:41\nRUN dnf -y dsync\n", dockerfile.Options{}, []string{"2:5-2:17"}, "dnf dsync without"},
		{"dnf swap", "FROM fedora:41\nRUN dnf swap -y curl-minimal curl\n", dockerfile.Options{}, []string{"2:5-2:13"}, "dnf swap without"},
		{"dnf builddep", "FROM fedora:41\nRUN dnf builddep -y python3\n", dockerfile.Options{}, []string{"2:5-2:17"}, "dnf builddep without"},
		{"dnf group install: points through the group sub-command", "FROM fedora:41\nRUN dnf -y group install 'Development Tools'\n", dockerfile.Options{}, []string{"2:5-2:25"}, "dnf group install without"},
		{"dnf module enable", "FROM rockylinux:8\nRUN dnf -y module enable nodejs:20\n", dockerfile.Options{}, []string{"2:5-2:25"}, "dnf module enable without"},
		{"microdnf update", "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf update -y\n", dockerfile.Options{}, []string{"2:5-2:20"}, "microdnf update without `microdnf clean all` in the same RUN leaves the repository metadata and packages in /var/cache/yum"},
		{"dnf5 makecache: metadata only", "FROM fedora:41\nRUN dnf5 makecache\n", dockerfile.Options{}, []string{"2:5-2:19"}, "leaves the repository metadata in /var/cache/libdnf5 in this layer"},
		{"yum check-update: metadata only", "FROM centos:7\nRUN yum check-update; yum install -y httpd\n", dockerfile.Options{}, []string{"2:5-2:21"}, "yum check-update without `yum clean all` in the same RUN leaves the repository metadata in"},
		{"dnf with a separate --setopt value", "FROM fedora:41\nRUN dnf --setopt install_weak_deps=False -y install httpd\n", dockerfile.Options{}, []string{"2:5-2:52"}, "dnf install without"},
		{"dnf group list", "FROM fedora:41\nRUN dnf group list\n", dockerfile.Options{}, nil, ""},
		{"dnf remove", "FROM fedora:41\nRUN dnf remove -y httpd\n", dockerfile.Options{}, nil, ""},
		{"dnf module list", "FROM rockylinux:8\nRUN dnf module list\n", dockerfile.Options{}, nil, ""},
		{"dnf rei with clean", "FROM fedora:41\nRUN dnf rei -y openssl && dnf clean all\n", dockerfile.Options{}, nil, ""},
		{"yum clean all", "FROM rockylinux:9\nRUN yum install -y httpd && yum clean all\n", dockerfile.Options{}, nil, ""},
		{"dnf clean all and rm", "FROM fedora:41\nRUN dnf install -y httpd && dnf clean all && rm -rf /var/cache/dnf\n", dockerfile.Options{}, nil, ""},
		{"rm -rf /var/cache/yum", "FROM rockylinux:9\nRUN yum install -y httpd && rm -rf /var/cache/yum/*\n", dockerfile.Options{}, nil, ""},
		{"microdnf clean all", "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y jq && microdnf clean all\n", dockerfile.Options{}, nil, ""},
		{"zypper clean -a", "FROM opensuse/leap:15.6\nRUN zypper -n install curl && zypper clean -a\n", dockerfile.Options{}, nil, ""},
		{"zypper cc", "FROM opensuse/leap:15.6\nRUN zypper -n install curl && zypper cc\n", dockerfile.Options{}, nil, ""},
		{"dnf cache mount", "FROM fedora:41\nRUN --mount=type=cache,target=/var/cache/dnf dnf install -y httpd\n", dockerfile.Options{}, nil, ""},
		{"heredoc with clean", "FROM fedora:41\nRUN <<EOF\nset -e\ndnf install -y httpd\ndnf clean all\nEOF\n", dockerfile.Options{}, nil, ""},

		// pip
		{"pip install", "FROM python:3.12\nRUN pip install flask\n", dockerfile.Options{}, []string{"2:5-2:16"}, "--no-cache-dir"},
		{"pip3 install -r", "FROM python:3.12\nRUN pip3 install -r requirements.txt\n", dockerfile.Options{}, []string{"2:5-2:17"}, "pip install without --no-cache-dir"},
		{"python -m pip", "FROM python:3.12\nRUN python3 -m pip install flask\n", dockerfile.Options{}, []string{"2:5-2:27"}, "python3 -m pip install"},
		{"venv pip", "FROM python:3.12\nRUN /venv/bin/pip install flask\n", dockerfile.Options{}, []string{"2:5-2:26"}, "pip install without --no-cache-dir"},
		{"pip, one finding per call", "FROM python:3.12\nRUN pip install -U pip && pip install --no-cache-dir flask\n", dockerfile.Options{}, []string{"2:5-2:16"}, "pip install without --no-cache-dir"},
		{"pip --no-cache-dir", "FROM python:3.12\nRUN pip install --no-cache-dir flask\n", dockerfile.Options{}, nil, ""},
		{"pip --no-cache-dir before the command", "FROM python:3.12\nRUN pip --no-cache-dir install flask\n", dockerfile.Options{}, nil, ""},
		{"ENV PIP_NO_CACHE_DIR", "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n", dockerfile.Options{}, nil, ""},
		{"ENV PIP_NO_CACHE_DIR=off disables it too", "FROM python:3.12\nENV PIP_NO_CACHE_DIR=off\nRUN pip install flask\n", dockerfile.Options{}, nil, ""},
		{"ENV PIP_NO_CACHE_DIR in the parent stage", "FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install flask\n", dockerfile.Options{}, nil, ""},
		{"export PIP_NO_CACHE_DIR", "FROM python:3.12\nRUN export PIP_NO_CACHE_DIR=1 && pip install flask\n", dockerfile.Options{}, nil, ""},
		{"PIP_NO_CACHE_DIR prefix", "FROM python:3.12\nRUN PIP_NO_CACHE_DIR=1 pip install flask\n", dockerfile.Options{}, nil, ""},
		{"env PIP_NO_CACHE_DIR", "FROM python:3.12\nRUN env PIP_NO_CACHE_DIR=1 pip install flask\n", dockerfile.Options{}, nil, ""},
		{"pip cache mount", "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n", dockerfile.Options{}, nil, ""},
		{"pip cache mount of ~/.cache", "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install flask\n", dockerfile.Options{}, nil, ""},
		{"pip cache purge", "FROM python:3.12\nRUN pip install flask && pip cache purge\n", dockerfile.Options{}, nil, ""},
		{"rm ~/.cache/pip", "FROM python:3.12\nRUN pip install flask && rm -rf ~/.cache/pip\n", dockerfile.Options{}, nil, ""},
		{"python setup.py install", "FROM python:3.12\nRUN python setup.py install\n", dockerfile.Options{}, nil, ""},
		{"pip download", "FROM python:3.12\nRUN pip download flask\n", dockerfile.Options{}, nil, ""},

		{"pip3.11 install", "FROM python:3.11\nRUN pip3.11 install flask\n", dockerfile.Options{}, []string{"2:5-2:20"}, "pip install without --no-cache-dir"},
		{"python3.12 -m pip", "FROM python:3.12\nRUN python3.12 -m pip install flask\n", dockerfile.Options{}, []string{"2:5-2:30"}, "python3.12 -m pip install without --no-cache-dir"},
		{"jython -m pip", "FROM openjdk:8\nRUN jython -m pip install requests\n", dockerfile.Options{}, []string{"2:5-2:26"}, "jython -m pip install without --no-cache-dir"},
		{"python option with a value before -m", "FROM python:3.12\nRUN python -W ignore -m pip install flask\n", dockerfile.Options{}, []string{"2:5-2:36"}, "python -m pip install without"},
		{"--no-color is not --no-cache-dir", "FROM python:3.12\nRUN pip install --no-color flask\n", dockerfile.Options{}, []string{"2:5-2:16"}, "pip install without --no-cache-dir"},
		{"ENV PIP_NO_CACHE_DIR empty keeps the cache", "FROM python:3.12\nENV PIP_NO_CACHE_DIR=\nRUN pip install flask\n", dockerfile.Options{}, []string{"3:5-3:16"}, "PIP_NO_CACHE_DIR is set but empty here, and pip ignores an empty value"},
		{"export of an empty PIP_NO_CACHE_DIR keeps the cache", "FROM python:3.12\nRUN export PIP_NO_CACHE_DIR= && pip install flask\n", dockerfile.Options{}, []string{"2:33-2:44"}, "PIP_NO_CACHE_DIR is set but empty"},
		{"uv pip install", "FROM python:3.12\nRUN uv pip install --system flask\n", dockerfile.Options{}, []string{"2:5-2:19"}, "uv pip install without --no-cache keeps the downloaded packages in ~/.cache/uv"},
		{"uv options before pip", "FROM python:3.12\nRUN uv --directory /app pip install -r requirements.txt\n", dockerfile.Options{}, []string{"2:5-2:36"}, "uv pip install without --no-cache"},
		{"ENV UV_NO_CACHE=0 keeps the cache", "FROM python:3.12\nENV UV_NO_CACHE=0\nRUN uv pip install flask\n", dockerfile.Options{}, []string{"3:5-3:19"}, "uv pip install without --no-cache"},
		{"pip --no-cache: prefix of --no-cache-dir", "FROM python:3.12\nRUN pip install --no-cache flask\n", dockerfile.Options{}, nil, ""},
		{"pip --no-cach: prefix of --no-cache-dir", "FROM python:3.12\nRUN pip3 install --no-cach -r requirements.txt\n", dockerfile.Options{}, nil, ""},
		{"ENV PIP_NO_CACHE_DIR=0 disables it too", "FROM python:3.12\nENV PIP_NO_CACHE_DIR=0\nRUN pip install flask\n", dockerfile.Options{}, nil, ""},
		{"ARG PIP_NO_CACHE_DIR", "FROM python:3.12\nARG PIP_NO_CACHE_DIR=1\nRUN pip install flask\n", dockerfile.Options{}, nil, ""},
		{"PIP_NO_CACHE_DIR from a shell variable: cannot be sure", "FROM python:3.12\nRUN PIP_NO_CACHE_DIR=$NOCACHE pip install flask\n", dockerfile.Options{}, nil, ""},
		{"jython -m pip --no-cache-dir", "FROM openjdk:8\nRUN jython -m pip install --no-cache-dir requests\n", dockerfile.Options{}, nil, ""},
		{"uv pip install --no-cache", "FROM python:3.12\nRUN uv pip install --no-cache flask\n", dockerfile.Options{}, nil, ""},
		{"uv -n pip install", "FROM python:3.12\nRUN uv -n pip install flask\n", dockerfile.Options{}, nil, ""},
		{"ENV UV_NO_CACHE=1", "FROM python:3.12\nENV UV_NO_CACHE=1\nRUN uv pip install flask\n", dockerfile.Options{}, nil, ""},
		{"uv cache clean", "FROM python:3.12\nRUN uv pip install flask && uv cache clean\n", dockerfile.Options{}, nil, ""},
		{"uv cache mount", "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install flask\n", dockerfile.Options{}, nil, ""},
		{"uv pip list", "FROM python:3.12\nRUN uv pip list\n", dockerfile.Options{}, nil, ""},

		// npm
		{"npm ci", "FROM node:22\nRUN npm ci\n", dockerfile.Options{}, []string{"2:5-2:11"}, "npm cache clean --force"},
		{"npm i -g", "FROM node:22\nRUN npm i -g pnpm\n", dockerfile.Options{}, []string{"2:5-2:10"}, "npm i without a cache clean"},
		{"npm, one finding per RUN", "FROM node:22\nRUN npm install -g pnpm && npm ci\n", dockerfile.Options{}, []string{"2:5-2:16"}, "npm install without a cache clean"},
		{"npm cache clean", "FROM node:22\nRUN npm ci && npm cache clean --force\n", dockerfile.Options{}, nil, ""},
		{"npm cache mount", "FROM node:22\nRUN --mount=type=cache,target=/root/.npm npm ci\n", dockerfile.Options{}, nil, ""},
		{"rm ~/.npm", "FROM node:22\nRUN npm ci && rm -rf /root/.npm\n", dockerfile.Options{}, nil, ""},
		{"npm run", "FROM node:22\nRUN npm run build\n", dockerfile.Options{}, nil, ""},

		// yarn, pnpm, composer, poetry, uv sync, conda
		{"yarn install", "FROM node:22\nRUN yarn install --frozen-lockfile\n", dockerfile.Options{}, []string{"2:5-2:17"}, "yarn install without `yarn cache clean` keeps the downloaded packages in yarn's cache"},
		{"yarn alone installs", "FROM node:22\nRUN yarn\n", dockerfile.Options{}, []string{"2:5-2:9"}, "yarn without `yarn cache clean`"},
		{"yarn add", "FROM node:22\nRUN yarn global add serve\n", dockerfile.Options{}, nil, ""},
		{"yarn --version installs nothing", "FROM node:22\nRUN yarn --version\n", dockerfile.Options{}, nil, ""},
		{"yarn cache clean", "FROM node:22\nRUN yarn install && yarn cache clean\n", dockerfile.Options{}, nil, ""},
		{"yarn cache removed", "FROM node:22\nRUN yarn install && rm -rf /usr/local/share/.cache/yarn\n", dockerfile.Options{}, nil, ""},
		{"YARN_CACHE_FOLDER removed", "FROM node:22\nENV YARN_CACHE_FOLDER=/tmp/yc\nRUN yarn install && rm -rf /tmp/yc\n", dockerfile.Options{}, nil, ""},
		{"yarn cache mount", "FROM node:22\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n", dockerfile.Options{}, nil, ""},
		{"pnpm install", "FROM node:22\nRUN pnpm install --frozen-lockfile\n", dockerfile.Options{}, []string{"2:5-2:17"}, "pnpm install keeps pnpm's package store"},
		{"pnpm store prune", "FROM node:22\nRUN pnpm install && pnpm store prune\n", dockerfile.Options{}, nil, ""},
		{"pnpm store mount", "FROM node:22\nRUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm install\n", dockerfile.Options{}, nil, ""},
		{"composer install", "FROM php:8.3\nRUN composer install --no-dev\n", dockerfile.Options{}, []string{"2:5-2:21"}, "composer install without --no-cache"},
		{"composer --no-cache", "FROM php:8.3\nRUN composer install --no-dev --no-cache\n", dockerfile.Options{}, nil, ""},
		{"composer clear-cache", "FROM php:8.3\nRUN composer install && composer clear-cache\n", dockerfile.Options{}, nil, ""},
		{"COMPOSER_CACHE_DIR=/dev/null", "FROM php:8.3\nENV COMPOSER_CACHE_DIR=/dev/null\nRUN composer install\n", dockerfile.Options{}, nil, ""},
		{"poetry install", "FROM python:3.12\nRUN poetry install --no-root\n", dockerfile.Options{}, []string{"2:5-2:19"}, "poetry install without --no-cache keeps the downloaded packages in ~/.cache/pypoetry"},
		{"poetry --no-cache", "FROM python:3.12\nRUN poetry install --no-cache\n", dockerfile.Options{}, nil, ""},
		{"POETRY_CACHE_DIR removed through the variable", "FROM python:3.12\nENV POETRY_CACHE_DIR=/tmp/poetry_cache\nRUN poetry install && rm -rf $POETRY_CACHE_DIR\n", dockerfile.Options{}, nil, ""},
		{"POETRY_CACHE_DIR removed by path", "FROM python:3.12\nENV POETRY_CACHE_DIR=/tmp/poetry_cache\nRUN poetry install && rm -rf /tmp/poetry_cache\n", dockerfile.Options{}, nil, ""},
		{"another directory removed", "FROM python:3.12\nENV POETRY_CACHE_DIR=/tmp/poetry_cache\nRUN poetry install && rm -rf /tmp/other\n", dockerfile.Options{}, []string{"3:5-3:19"}, "poetry install without --no-cache"},
		{"poetry cache clear", "FROM python:3.12\nRUN poetry install && poetry cache clear --all pypi\n", dockerfile.Options{}, nil, ""},
		{"uv sync", "FROM python:3.12\nRUN uv sync --frozen\n", dockerfile.Options{}, []string{"2:5-2:12"}, "uv sync without --no-cache"},
		{"uv sync --no-cache", "FROM python:3.12\nRUN uv sync --frozen --no-cache\n", dockerfile.Options{}, nil, ""},
		{"conda install", "FROM continuumio/miniconda3\nRUN conda install -y numpy\n", dockerfile.Options{}, []string{"2:5-2:18"}, "conda install without `conda clean` in the same RUN"},
		{"mamba env create", "FROM condaforge/mambaforge\nRUN mamba env create -f environment.yml\n", dockerfile.Options{}, []string{"2:5-2:21"}, "mamba env create without `mamba clean`"},
		{"conda clean -afy", "FROM continuumio/miniconda3\nRUN conda install -y numpy && conda clean -afy\n", dockerfile.Options{}, nil, ""},
		{"conda by its path names that installation's pkgs", "FROM debian\nRUN /opt/anaconda/bin/conda install -y numpy\n", dockerfile.Options{}, []string{"2:5-2:36"},
			"conda install without `conda clean` in the same RUN keeps the downloaded packages (its pkgs directory, /opt/anaconda/pkgs) in this layer"},
		{"conda by name", "FROM continuumio/miniconda3\nRUN conda install -y numpy\n", dockerfile.Options{}, []string{"2:5-2:18"}, "(its pkgs directory, /opt/conda/pkgs)"},
		{"conda pkgs removed", "FROM continuumio/miniconda3\nRUN conda install -y numpy && rm -rf /opt/conda/pkgs\n", dockerfile.Options{}, nil, ""},
		{"conda list", "FROM continuumio/miniconda3\nRUN conda list\n", dockerfile.Options{}, nil, ""},
		{"PIP_CACHE_DIR removed", "FROM python:3.12\nENV PIP_CACHE_DIR=/tmp/pipc\nRUN pip install flask && rm -rf /tmp/pipc\n", dockerfile.Options{}, nil, ""},

		// general
		{"sh -c and sudo", "FROM alpine:3\nRUN sh -c 'sudo apk add curl'\n", dockerfile.Options{}, []string{"2:17-2:24"}, "apk add without --no-cache"},
		{"lower-case run", "FROM alpine:3\nrun apk add curl\n", dockerfile.Options{}, []string{"2:5-2:12"}, "apk add without --no-cache"},
		{"parent stage of the final image", "FROM alpine:3 AS base\nRUN apk add curl\nFROM base\n", dockerfile.Options{}, []string{"2:5-2:12"}, "apk add without --no-cache"},
		{"builder stage only", "FROM python:3.12 AS build\nRUN pip install build && python -m build\nFROM python:3.12-slim\nCOPY --from=build /dist /dist\n", dockerfile.Options{}, nil, ""},
		{"cleanup in a later RUN does not help", "FROM alpine:3\nRUN apk add curl\nRUN rm -rf /var/cache/apk/*\n", dockerfile.Options{}, []string{"2:5-2:12"}, "apk add without --no-cache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, PackageCacheLeft, tt.src, tt.opts)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

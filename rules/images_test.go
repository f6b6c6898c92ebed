package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

// imageCase is one Dockerfile and what each tag rule reports on it
// (positions), so that every trap is checked against all four rules.
type imageCase struct {
	name string
	src  string
	opts dockerfile.Options
	// positions per rule
	latest, untagged, unresolved, unpinned []string
}

var imageCases = []imageCase{
	{name: "literal latest", src: "FROM node:latest\n",
		latest: []string{"1:11-1:17"}, unpinned: []string{"1:6-1:17"}},
	{name: "version tag", src: "FROM node:22.11-slim\n",
		unpinned: []string{"1:6-1:21"}},
	{name: "no tag", src: "FROM ubuntu\n",
		untagged: []string{"1:6-1:12"}, unpinned: []string{"1:6-1:12"}},
	{name: "lower-case from", src: "from ubuntu\n",
		untagged: []string{"1:6-1:12"}, unpinned: []string{"1:6-1:12"}},
	{name: "digest pins latest", src: "FROM node:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"},
	{name: "digest without tag", src: "FROM node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"},
	{name: "scratch", src: "FROM scratch\nCOPY a /a\n"},
	{name: "COPY --from=scratch", src: "FROM alpine:3.20 AS a\nCOPY --from=scratch / /\n",
		unpinned: []string{"1:6-1:17"}},
	{name: "registry port is not a tag", src: "FROM localhost:5000/app\n",
		untagged: []string{"1:6-1:24"}, unpinned: []string{"1:6-1:24"}},
	{name: "registry port and tag", src: "FROM localhost:5000/app:1.2\n",
		unpinned: []string{"1:6-1:28"}},
	{name: "registry port and latest", src: "FROM registry.local:5000/team/app:latest\n",
		latest: []string{"1:35-1:41"}, unpinned: []string{"1:6-1:41"}},
	{name: "stage named like an image", src: "FROM node AS node\nFROM node\n",
		untagged: []string{"1:6-1:10"}, unpinned: []string{"1:6-1:10"}},
	{name: "COPY --from stage index", src: "FROM golang:1.23 AS build\nFROM alpine:3.20\nCOPY --from=0 /out /out\n",
		unpinned: []string{"1:6-1:17", "2:6-2:17"}},
	{name: "COPY --from a later stage", src: "FROM alpine:3.20\nCOPY --from=tools /x /x\nFROM busybox:1.37 AS tools\n",
		unpinned: []string{"1:6-1:17", "3:6-3:18"}},
	{name: "COPY --from image", src: "FROM scratch\nCOPY --from=alpine/git /usr/bin/git /git\nCOPY --from=alpine/git:latest /a /a\n",
		latest: []string{"3:24-3:30"}, untagged: []string{"2:13-2:23"}, unpinned: []string{"2:13-2:23", "3:13-3:30"}},
	{name: "RUN --mount from image", src: "FROM scratch\nRUN --mount=from=busybox,target=/bb /bb/true\nRUN --mount=type=bind,from=busybox:latest,target=/bb /bb/true\n",
		latest: []string{"3:36-3:42"}, untagged: []string{"2:18-2:25"}, unpinned: []string{"2:18-2:25", "3:28-3:42"}},
	{name: "RUN --mount from stage", src: "FROM alpine:3.20 AS tools\nFROM scratch\nRUN --mount=from=tools,target=/t /t/bin/true\n",
		unpinned: []string{"1:6-1:17"}},
	{name: "ARG default latest", src: "ARG TAG=latest\nFROM img:$TAG\n",
		latest: []string{"2:6-2:14"}, unpinned: []string{"2:6-2:14"}},
	{name: "ARG default version", src: "ARG TAG=1.2\nFROM img:$TAG\n",
		unpinned: []string{"2:6-2:14"}},
	{name: "build-arg overrides latest", src: "ARG TAG=latest\nFROM img:$TAG\n", opts: dockerfile.Options{BuildArgs: map[string]string{"TAG": "1.2"}},
		unpinned: []string{"2:6-2:14"}},
	{name: "build-arg sets latest", src: "ARG TAG\nFROM img:${TAG}\n", opts: dockerfile.Options{BuildArgs: map[string]string{"TAG": "latest"}},
		latest: []string{"2:6-2:16"}, unpinned: []string{"2:6-2:16"}},
	{name: "ARG without default", src: "ARG TAG\nFROM img:$TAG\n",
		unresolved: []string{"2:6-2:14"}},
	// An undeclared variable in FROM is BuildKit's UndefinedArgInFrom.
	{name: "undeclared variable", src: "FROM $BASE\n"},
	{name: "whole image from ARG without tag", src: "ARG BASE=ubuntu\nFROM $BASE\n",
		untagged: []string{"2:6-2:11"}, unpinned: []string{"2:6-2:11"}},
	{name: "fallback form gives latest", src: "ARG TAG\nFROM img:${TAG:-latest}\n",
		latest: []string{"2:6-2:24"}, unpinned: []string{"2:6-2:24"}},
	{name: "fallback form gives a version", src: "ARG TAG\nFROM img:${TAG:-1.2}\n",
		unpinned: []string{"2:6-2:21"}},
	{name: "fallback form not needed", src: "ARG TAG=2.0\nFROM img:${TAG:-latest}\n",
		unpinned: []string{"2:6-2:24"}},
	{name: "one variable resolved, one not", src: "ARG REPO=img\nARG TAG\nFROM $REPO:$TAG\n",
		unresolved: []string{"3:6-3:16"}},
	{name: "ARG names a stage", src: "ARG STAGE=base\nFROM alpine:3.20 AS base\nFROM ${STAGE}\n",
		unpinned: []string{"2:6-2:17"}},
	{name: "stage ARG is not in scope for FROM", src: "FROM alpine:3.20 AS base\nARG STAGE=base\nFROM ${STAGE}\n",
		unpinned: []string{"1:6-1:17"}},
	{name: "FROM a later stage name is an image", src: "FROM tools\nFROM alpine:3.20 AS tools\n",
		untagged: []string{"1:6-1:11"}, unpinned: []string{"1:6-1:11", "2:6-2:17"}},
	{name: "platform ARG", src: "FROM --platform=$BUILDPLATFORM golang:1.23\n",
		unpinned: []string{"1:32-1:43"}},
	{name: "builder stage counts too", src: "FROM golang:latest AS build\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app\n",
		latest: []string{"1:13-1:19"}, unpinned: []string{"1:6-1:19", "2:6-2:38"}},
}

func TestImageRules(t *testing.T) {
	for _, tt := range imageCases {
		t.Run(tt.name, func(t *testing.T) {
			for _, rc := range []struct {
				r    *rule.Rule
				want []string
			}{{LatestTag, tt.latest}, {UntaggedImage, tt.untagged}, {UnresolvedImageVariable, tt.unresolved}, {UnpinnedImage, tt.unpinned}} {
				ds := ruletest.Run(t, rc.r, tt.src, tt.opts)
				if got := ruletest.Positions(ds); !slices.Equal(got, rc.want) {
					t.Errorf("%s: got %v, want %v\n%v", rc.r, got, rc.want, ruletest.Lines(ds))
				}
			}
		})
	}
}

func TestImageRuleMessages(t *testing.T) {
	tests := []struct {
		r    *rule.Rule
		src  string
		want string
	}{
		{LatestTag, "FROM node:latest\n",
			`1:11-1:17 FROM node:latest: the tag "latest" moves with every push, so builds are not reproducible and a bad image cannot be rolled back; pin a version tag`},
		{LatestTag, "ARG TAG=latest\nFROM img:$TAG\n",
			`2:6-2:14 FROM img:$TAG expands to img:latest: the tag "latest" moves with every push, so builds are not reproducible and a bad image cannot be rolled back; pin a version tag`},
		{UntaggedImage, "FROM scratch\nCOPY --from=alpine/git /usr/bin/git /git\n",
			`2:13-2:23 COPY --from alpine/git has no tag, so it pulls alpine/git:latest, which moves with every push: builds are not reproducible and cannot be rolled back; pin a version tag`},
		{UntaggedImage, "ARG BASE=ubuntu\nFROM $BASE\n",
			`2:6-2:11 FROM $BASE (ubuntu) has no tag, so it pulls ubuntu:latest, which moves with every push: builds are not reproducible and cannot be rolled back; pin a version tag`},
		{UnresolvedImageVariable, "ARG REPO\nARG TAG\nFROM $REPO:$TAG\n",
			`3:6-3:16 FROM $REPO:$TAG: REPO and TAG have no value (no ARG default, no --build-arg), so the image and its tag cannot be checked; give the ARG a default or pass --build-arg`},
		// REPO is undeclared (UndefinedArgInFrom reports it), TAG declared
		// without a value.
		{UnresolvedImageVariable, "ARG TAG\nFROM $REPO:$TAG\n",
			`2:6-2:16 FROM $REPO:$TAG: TAG has no value (no ARG default, no --build-arg), so the image and its tag cannot be checked; give the ARG a default or pass --build-arg`},
		{UnpinnedImage, "FROM node:22\n",
			`1:6-1:13 FROM node:22 is not pinned by digest, so the same name can pull different content tomorrow; pin it as node:22@sha256:<digest>`},
	}
	for _, tt := range tests {
		ds := ruletest.Run(t, tt.r, tt.src, dockerfile.Options{})
		if got := ruletest.Lines(ds); len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s on %q:\ngot  %q\nwant %q", tt.r, tt.src, got, tt.want)
		}
	}
}

func TestImageRuleRelatedARG(t *testing.T) {
	src := "ARG BASE=img\nARG TAG=latest\nFROM $BASE:$TAG\nARG TAG\n"
	ds := ruletest.Run(t, LatestTag, src, dockerfile.Options{})
	if len(ds) != 1 {
		t.Fatalf("got %v, want 1 finding", ruletest.Lines(ds))
	}
	var got []string
	for _, r := range ds[0].Related {
		got = append(got, r.Range.Start.String()+" "+r.Message)
	}
	want := []string{`1:5 ARG BASE is declared here; its value is "img"`, `2:5 ARG TAG is declared here; its value is "latest"`}
	if !slices.Equal(got, want) {
		t.Errorf("related: got %q, want %q", got, want)
	}

	ds = ruletest.Run(t, LatestTag, "ARG TAG=1.0\nFROM img:$TAG\n", dockerfile.Options{BuildArgs: map[string]string{"TAG": "latest"}})
	if len(ds) != 1 || len(ds[0].Related) != 1 || ds[0].Related[0].Message != `ARG TAG is declared here; its value is "latest"` {
		t.Errorf("build-arg related: got %+v", ds)
	}

	ds = ruletest.Run(t, UnresolvedImageVariable, "ARG TAG\nFROM img:$TAG\n", dockerfile.Options{})
	if len(ds) != 1 || len(ds[0].Related) != 1 || ds[0].Related[0].Message != "ARG TAG is declared here without a default" {
		t.Errorf("unresolved related: got %+v", ds)
	}
}

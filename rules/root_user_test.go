package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestRootUser(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts dockerfile.Options
		want []string // positions
		msg  string   // a substring of the (first) message
	}{
		{"USER root", "FROM alpine:3\nUSER root\n", dockerfile.Options{}, []string{"2:6-2:10"}, "USER root: the final image runs as root"},
		{"USER 0", "FROM alpine:3\nUSER 0\n", dockerfile.Options{}, []string{"2:6-2:7"}, "USER 0: the final image runs as root (uid 0)"},
		{"USER 0:0", "FROM alpine:3\nUSER 0:0\n", dockerfile.Options{}, []string{"2:6-2:9"}, "USER 0:0: the final image runs as root (uid 0)"},
		{"USER root:group", "FROM alpine:3\nUSER root:wheel\n", dockerfile.Options{}, []string{"2:6-2:16"}, "USER root:wheel: the final image runs as root (uid 0)"},
		{"quoted", "FROM alpine:3\nUSER \"root\"\n", dockerfile.Options{}, []string{"2:6-2:12"}, "USER root:"},
		{"lower-case keyword", "FROM alpine:3\nuser root\n", dockerfile.Options{}, []string{"2:6-2:10"}, "USER root: the final image runs as root (uid 0)"},
		{"variable expanded", "FROM alpine:3\nARG RUNAS=root\nUSER $RUNAS\n", dockerfile.Options{}, []string{"3:6-3:12"}, "USER root:"},
		{"build arg", "FROM alpine:3\nARG RUNAS=app\nUSER ${RUNAS}\n", dockerfile.Options{BuildArgs: map[string]string{"RUNAS": "0"}}, []string{"3:6-3:14"}, "USER 0: the final image runs as root (uid 0)"},
		{"root after app", "FROM alpine:3\nUSER app\nRUN true\nUSER root\n", dockerfile.Options{}, []string{"4:6-4:10"}, "USER root: the final image runs as root (uid 0)"},
		{"USER root in the parent stage", "FROM alpine:3 AS base\nUSER root\nFROM base\nCMD [\"x\"]\n", dockerfile.Options{}, []string{"2:6-2:10"}, "USER root: the final image runs as root (uid 0)"},
		{"no USER, external base", "FROM python:3.12-slim\nCMD [\"python\"]\n", dockerfile.Options{}, []string{"1:6-1:22"}, "unless base image python:3.12-slim sets a user"},
		{"no USER, base from a meta ARG", "ARG BASE=debian:12\nFROM $BASE\nCMD [\"bash\"]\n", dockerfile.Options{}, []string{"2:6-2:11"}, "base image debian:12"},
		{"no USER through a stage chain: the root stage's FROM", "FROM debian:12 AS base\nRUN true\nFROM base\nCMD [\"x\"]\n", dockerfile.Options{}, []string{"1:6-1:15"}, "debian:12"},
		{"USER only in a builder stage does not count", "FROM golang:1.23 AS build\nUSER app\nRUN go build\nFROM alpine:3\nCOPY --from=build /out /app\nCMD [\"/app\"]\n", dockerfile.Options{}, []string{"4:6-4:14"}, "alpine:3"},
		{"scratch with a command", "FROM golang:1.23 AS build\nRUN go build -o /app\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n", dockerfile.Options{}, []string{"3:6-3:13"}, "FROM scratch"},
		{"target selects the root builder", "FROM alpine:3 AS build\nUSER root\nFROM alpine:3\nUSER app\n", dockerfile.Options{Target: "build"}, []string{"2:6-2:10"}, "USER root: the final image runs as root (uid 0)"},

		{"non-root user", "FROM alpine:3\nUSER app\n", dockerfile.Options{}, nil, ""},
		{"numeric non-root user with group 0", "FROM alpine:3\nUSER 1000:0\n", dockerfile.Options{}, nil, ""},
		{"root then non-root", "FROM alpine:3\nUSER root\nRUN apk add --no-cache curl\nUSER 10001\n", dockerfile.Options{}, nil, ""},
		{"USER in the builder stage the final one is FROM", "FROM alpine:3 AS builder\nUSER app\nFROM builder\nCMD [\"x\"]\n", dockerfile.Options{}, nil, ""},
		{"unresolved variable", "FROM alpine:3\nARG RUNAS\nUSER $RUNAS\n", dockerfile.Options{}, nil, ""},
		{"data-only scratch image", "FROM scratch\nCOPY models/ /models/\n", dockerfile.Options{}, nil, ""},
		{"scratch with USER", "FROM scratch\nCOPY app /app\nUSER 65532\nENTRYPOINT [\"/app\"]\n", dockerfile.Options{}, nil, ""},
		{"distroless nonroot tag", "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\nENTRYPOINT [\"/app\"]\n", dockerfile.Options{}, nil, ""},
		{"unresolved base image", "ARG BASE\nFROM $BASE\nCMD [\"x\"]\n", dockerfile.Options{}, nil, ""},
		{"Windows base image", "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCMD [\"cmd\"]\n", dockerfile.Options{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, RootUser, tt.src, tt.opts)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

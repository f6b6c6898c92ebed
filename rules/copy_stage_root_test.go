package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestCopyStageRoot(t *testing.T) {
	const build = "FROM golang:1.23 AS build\nRUN go build -o /out/app .\n"
	tests := []struct {
		name string
		src  string
		opts dockerfile.Options
		want []string // positions
		msg  string   // part of the first message
	}{
		{"root of a build stage", build + "FROM alpine:3\nCOPY --from=build / /\n", dockerfile.Options{},
			[]string{"4:19-4:20"}, `COPY --from=build / copies the whole root filesystem of stage "build" (FROM golang:1.23) into the final image: the base image and whatever its RUN steps left (compilers, caches, package indexes) ship too; copy only the paths the image needs`},
		{"dot is the root too", build + "FROM alpine:3\nCOPY --from=build . /app\n", dockerfile.Options{},
			[]string{"4:19-4:20"}, "COPY --from=build . copies the whole root filesystem"},
		{"every entry of the root", build + "FROM alpine:3\nCOPY --from=build /* /app/\n", dockerfile.Options{},
			[]string{"4:19-4:21"}, "COPY --from=build /* copies"},
		{"stage by index", build + "FROM alpine:3\nCOPY --from=0 / /rootfs\n", dockerfile.Options{},
			[]string{"4:15-4:16"}, `stage "build" (FROM golang:1.23)`},
		{"unnamed stage", "FROM node:22\nRUN npm ci\nFROM alpine:3\nCOPY --from=0 / /app\n", dockerfile.Options{},
			[]string{"4:15-4:16"}, "stage 0 (FROM node:22)"},
		{"stage built from a stage", build + "FROM build AS test\nRUN go test ./...\nFROM alpine:3\nCOPY --from=test / /\n", dockerfile.Options{},
			[]string{"6:18-6:19"}, `stage "test" (FROM golang:1.23)`},
		{"one of several sources", build + "FROM alpine:3\nCOPY --from=build /out/app / /app/\n", dockerfile.Options{},
			[]string{"4:28-4:29"}, "COPY --from=build /"},
		{"target stage", build + "FROM alpine:3 AS final\nCOPY --from=build / /\nFROM alpine:3\n", dockerfile.Options{Target: "final"},
			[]string{"4:19-4:20"}, "into the final image"},

		{"an image made to be copied whole", "FROM alpine:3\nCOPY --from=tonistiigi/xx:1.5.0 / /\n", dockerfile.Options{}, nil, ""},
		{"a stage that only names an image", "FROM tonistiigi/xx:1.5.0 AS xx\nFROM golang:1.23 AS build\nCOPY --from=xx / /\nRUN xx-go build ./...\n", dockerfile.Options{}, nil, ""},
		{"a path", build + "FROM alpine:3\nCOPY --from=build /out/app /app\n", dockerfile.Options{}, nil, ""},
		{"scratch stage", "FROM scratch AS rootfs\nCOPY rootfs/ /\nFROM alpine:3\nCOPY --from=rootfs / /\n", dockerfile.Options{}, nil, ""},
		{"stage built on a scratch stage", "FROM scratch AS rootfs\nCOPY rootfs/ /\nFROM rootfs AS more\nCOPY etc/ /etc/\nFROM alpine:3\nCOPY --from=more / /\n", dockerfile.Options{}, nil, ""},
		{"not in the final image", build + "FROM alpine:3 AS bundle\nCOPY --from=build / /\nFROM alpine:3\nCOPY --from=build /out/app /app\n", dockerfile.Options{}, nil, ""},
		{"exclude filters the copy", build + "FROM alpine:3\nCOPY --from=build --exclude=usr/local/go / /\n", dockerfile.Options{}, nil, ""},
		{"the build context root", build + "FROM alpine:3\nCOPY . /app\n", dockerfile.Options{}, nil, ""},
		{"unresolved base", "ARG BASE\nFROM ${BASE} AS build\nFROM alpine:3\nCOPY --from=build / /\n", dockerfile.Options{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, CopyStageRoot, tt.src, tt.opts)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v (%q)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

// TestCopyStageRootExamples: the documented Bad example is reported and the Good
// one is not.
func TestCopyStageRootExamples(t *testing.T) {
	if ds := ruletest.Run(t, CopyStageRoot, CopyStageRoot.Bad, dockerfile.Options{}); len(ds) == 0 {
		t.Errorf("Bad example not reported:\n%s", CopyStageRoot.Bad)
	}
	if ds := ruletest.Run(t, CopyStageRoot, CopyStageRoot.Good, dockerfile.Options{}); len(ds) > 0 {
		t.Errorf("Good example reported: %q", ruletest.Lines(ds))
	}
}

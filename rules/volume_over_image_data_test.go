package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestVolumeOverImageData(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts dockerfile.Options
		want []string // positions
	}{
		{"COPY into the volume", "FROM python:3.12-slim\nCOPY models/ /mnt/models/\nVOLUME [\"/mnt/models\"]\n", dockerfile.Options{}, []string{"3:9-3:22"}},
		{"COPY below the volume, VOLUME first", "FROM alpine:3\nVOLUME /data\nCOPY seed.db /data/db/seed.db\n", dockerfile.Options{}, []string{"2:8-2:13"}},
		{"one finding per path", "FROM alpine:3\nCOPY a /data/a\nCOPY b /logs/b\nVOLUME /data /logs /empty\n", dockerfile.Options{}, []string{"4:8-4:13", "4:14-4:19"}},
		{"COPY . to the WORKDIR volume", "FROM node:22\nWORKDIR /app\nCOPY . .\nVOLUME /app\n", dockerfile.Options{}, []string{"4:8-4:12"}},
		{"RUN download into the volume", "FROM alpine:3\nVOLUME /mnt/models\nRUN curl -fsSLo /mnt/models/m.bin https://example.com/m.bin\n", dockerfile.Options{}, []string{"2:8-2:19"}},
		{"RUN git clone into the volume", "FROM alpine:3\nRUN git clone https://x/site.git /var/www/html\nVOLUME /var/www/html\n", dockerfile.Options{}, []string{"3:8-3:21"}},
		{"volume via ENV", "FROM alpine:3\nENV DATA=/srv/data\nCOPY x ${DATA}/\nVOLUME $DATA\n", dockerfile.Options{}, []string{"4:8-4:13"}},
		{"inherited through FROM stage", "FROM alpine:3 AS base\nCOPY d/ /data/\nFROM base\nVOLUME /data\n", dockerfile.Options{}, []string{"4:8-4:13"}},
		{"VOLUME in a parent stage of the final chain", "FROM alpine:3 AS base\nVOLUME /data\nFROM base\nCOPY d/ /data/\n", dockerfile.Options{}, []string{"2:8-2:13"}},
		{"named file in a volume directory", "FROM alpine:3\nCOPY app.db /data/\nVOLUME /data/app.db\n", dockerfile.Options{}, []string{"3:8-3:20"}},
		// traps
		{"empty directory from mkdir", "FROM mysql:8\nRUN mkdir -p /var/lib/mysql && chown -R mysql /var/lib/mysql\nVOLUME /var/lib/mysql\n", dockerfile.Options{}, nil},
		{"WORKDIR only", "FROM alpine:3\nWORKDIR /data\nVOLUME /data\n", dockerfile.Options{}, nil},
		{"COPY beside the volume", "FROM postgres:17\nCOPY init.sql /docker-entrypoint-initdb.d/\nVOLUME /var/lib/postgresql/data\n", dockerfile.Options{}, nil},
		{"prefix is not a parent", "FROM alpine:3\nCOPY x /database/x\nVOLUME /data\n", dockerfile.Options{}, nil},
		{"volume inside a copied directory of unknown content", "FROM alpine:3\nCOPY . /app\nVOLUME /app/data\n", dockerfile.Options{}, nil},
		{"directory source lands as contents", "FROM alpine:3\nCOPY models/ /mnt/\nVOLUME /mnt/models\n", dockerfile.Options{}, nil},
		{"relative COPY under unknown WORKDIR", "FROM node:22\nCOPY . .\nVOLUME /app\n", dockerfile.Options{}, nil},
		{"builder stage data", "FROM alpine:3 AS build\nCOPY x /data/x\nVOLUME /data\nFROM alpine:3\nCOPY --from=build /data/x /opt/x\n", dockerfile.Options{}, nil},
		{"target picks the builder", "FROM alpine:3 AS build\nCOPY x /data/x\nVOLUME /data\nFROM alpine:3\n", dockerfile.Options{Target: "build"}, []string{"3:8-3:13"}},
		{"conditional writer", "FROM alpine:3\nRUN test -f /x || curl -o /data/x https://x/x\nVOLUME /data\n", dockerfile.Options{}, nil},
		{"write into a cache mount", "FROM alpine:3\nRUN --mount=type=cache,target=/data curl -o /data/x https://x/x\nVOLUME /data\n", dockerfile.Options{}, nil},
		{"malformed VOLUME left to DV103", "FROM alpine:3\nCOPY x /a/x\nVOLUME [/a]\n", dockerfile.Options{}, nil},
		{"touch is data too", "FROM alpine:3\nRUN touch /data/.keep\nVOLUME /data\n", dockerfile.Options{}, []string{"3:8-3:13"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, VolumeOverImageData, tt.src, tt.opts)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v\n%v", got, tt.want, ruletest.Lines(ds))
			}
		})
	}
}

func TestVolumeOverImageDataMessage(t *testing.T) {
	src := "FROM python:3.12-slim\nCOPY models/ /mnt/models/\nRUN curl -fsSLo /mnt/models/extra.bin https://example.com/extra.bin\nVOLUME [\"/mnt/models\"]\n"
	ds := ruletest.Run(t, VolumeOverImageData, src, dockerfile.Options{})
	want := []string{"4:9-4:22 VOLUME /mnt/models covers data this image adds (line 2: COPY models/ /mnt/models/; line 3: RUN curl -fsSLo /mnt/models/extra.bin https://example.com...): containerd copies it into every container at start; remove the VOLUME and declare the volume in the pod spec or compose file, or keep the data elsewhere"}
	if got := ruletest.Lines(ds); !slices.Equal(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	var rel []string
	for _, r := range ds[0].Related {
		rel = append(rel, r.Range.Start.String()+"-"+r.Range.End.String()+" "+r.Message)
	}
	wantRel := []string{"2:14-2:26 adds /mnt/models under VOLUME /mnt/models", "3:5-3:68 adds /mnt/models/extra.bin under VOLUME /mnt/models"}
	if !slices.Equal(rel, wantRel) {
		t.Errorf("related: got %q, want %q", rel, wantRel)
	}
}

// Issue 7 item 3: a RUN writing under $VAR is judged with the ARG and ENV
// values in scope (and the base image's Env when it is known).
func TestVolumeOverImageDataRunVariables(t *testing.T) {
	bases := baseImages(map[string]*image.Image{
		"appbase:1": {Ref: "appbase:1", OS: "linux", Env: []string{"PATH=/usr/bin:/bin", "APP_ROOT=/srv/app"}},
	})
	tests := []struct {
		name string
		src  string
		opts dockerfile.Options
		want []string // positions
	}{
		{"ENV in a RUN word", "FROM alpine:3\nENV APP_ROOT=/srv/app\nRUN curl -fsSLo $APP_ROOT/data/m.bin https://x/m.bin\nVOLUME [\"$APP_ROOT\"]\n", dockerfile.Options{}, []string{"4:9-4:20"}},
		{"braces and quotes", "FROM alpine:3\nENV APP_ROOT=/srv/app\nRUN cp /tmp/seed.db \"${APP_ROOT}\"/data/\nVOLUME /srv/app/data\n", dockerfile.Options{}, []string{"4:8-4:21"}},
		{"ARG default", "FROM alpine:3\nARG DATA=/data\nRUN git clone https://x/site.git $DATA/site\nVOLUME /data\n", dockerfile.Options{}, []string{"4:8-4:13"}},
		{"ARG from --build-arg", "FROM alpine:3\nARG DATA=/elsewhere\nRUN git clone https://x/site.git $DATA/site\nVOLUME /data\n", dockerfile.Options{BuildArgs: map[string]string{"DATA": "/data"}}, []string{"4:8-4:13"}},
		{"ENV inherited through FROM stage", "FROM alpine:3 AS base\nENV D=/data\nFROM base\nRUN touch $D/.keep\nVOLUME /data\n", dockerfile.Options{}, []string{"5:8-5:13"}},
		{"variable set in the script", "FROM alpine:3\nRUN D=/data && wget -O $D/x https://x/x\nVOLUME /data\n", dockerfile.Options{}, []string{"3:8-3:13"}},
		{"default value", "FROM scratch\nRUN [\"/bin/sh\", \"-c\", \"cp /a ${D:-/data}/a\"]\nVOLUME /data\n", dockerfile.Options{}, []string{"3:8-3:13"}},
		// traps: unknown values stay silent
		{"variable without a value", "FROM alpine:3\nRUN curl -o $D/x https://x/x\nVOLUME /data\n", dockerfile.Options{}, nil},
		{"ARG without a value", "FROM alpine:3\nARG D\nRUN curl -o $D/x https://x/x\nVOLUME /x\n", dockerfile.Options{}, nil},
		{"ENV from another stage", "FROM alpine:3 AS a\nENV D=/data\nFROM alpine:3\nRUN curl -o $D/x https://x/x\nVOLUME /data\n", dockerfile.Options{}, nil},
		{"conditional assignment", "FROM alpine:3\nRUN test -f /y || D=/data; curl -o $D/x https://x/x\nVOLUME /data\n", dockerfile.Options{}, nil},
		{"a different value", "FROM alpine:3\nENV D=/opt\nRUN curl -o $D/x https://x/x\nVOLUME /data\n", dockerfile.Options{}, nil},
		// A VOLUME path with a variable of unknown value is not judged
		// (it was read with the variable empty: $APP/data as /data).
		{"VOLUME with an unknown variable", "FROM alpine:3\nCOPY x /data/x\nVOLUME $APP/data\n", dockerfile.Options{}, nil},
		{"JSON VOLUME with an unknown variable", "FROM alpine:3\nCOPY x /data/x\nVOLUME [\"${APP}/data\"]\n", dockerfile.Options{}, nil},
		{"VOLUME default, scratch", "FROM scratch\nCOPY x /data/x\nVOLUME ${APP:-/data}\n", dockerfile.Options{}, []string{"3:8-3:21"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, VolumeOverImageData, tt.src, tt.opts)
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v\n%v", got, tt.want, ruletest.Lines(ds))
			}
		})
	}
	// The base image's Env, when the base image is read.
	src := "FROM appbase:1\nRUN curl -fsSLo $APP_ROOT/m.bin https://x/m.bin\nVOLUME /srv/app\n"
	if got := ruletest.Positions(ruletest.RunBases(t, VolumeOverImageData, src, dockerfile.Options{}, bases)); !slices.Equal(got, []string{"3:8-3:16"}) {
		t.Errorf("with the base image's Env: got %v", got)
	}
	if got := ruletest.Positions(ruletest.Run(t, VolumeOverImageData, src, dockerfile.Options{})); len(got) != 0 {
		t.Errorf("without the base image: got %v, want nothing", got)
	}
	// So may the VOLUME path, a COPY destination and the WORKDIR (BuildKit
	// expands them with the whole environment).
	for _, src := range []string{
		"FROM appbase:1\nCOPY m.bin /srv/app/m.bin\nVOLUME $APP_ROOT\n",
		"FROM appbase:1\nCOPY m.bin $APP_ROOT/m.bin\nVOLUME /srv/app/\n",
		"FROM appbase:1\nWORKDIR ${APP_ROOT}\nCOPY m.bin .\nVOLUME /srv/app\n",
	} {
		if got := ruletest.Positions(ruletest.RunBases(t, VolumeOverImageData, src, dockerfile.Options{}, bases)); len(got) != 1 {
			t.Errorf("%q with the base image's Env: got %v, want one finding", src, got)
		}
		if got := ruletest.Positions(ruletest.Run(t, VolumeOverImageData, src, dockerfile.Options{})); len(got) != 0 {
			t.Errorf("%q without the base image: got %v, want nothing", src, got)
		}
	}
}

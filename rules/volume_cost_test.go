package rules

import (
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

// DV101 states the cost when the build context is known.
func TestVolumeOverImageDataCost(t *testing.T) {
	tests := []struct {
		name    string
		context []string
		src     string
		want    []string
	}{
		{"own volume", []string{sized("models/bert.bin", 512*mib)},
			"FROM python:3.12-slim\nCOPY models/ /mnt/models/\nVOLUME [\"/mnt/models\"]\n",
			[]string{"3:9-3:22|VOLUME /mnt/models covers data this image adds (line 2: COPY models/ /mnt/models/): containerd copies 512 MiB (models/) into every container at start; remove the VOLUME"}},
		{"inherited volume", []string{sized("seed/base.sql", 40*mib), sized("seed/more.sql", 24*mib)},
			"FROM postgres:16\nCOPY seed/ /var/lib/postgresql/data\n",
			[]string{"1:6-1:17|base image postgres:16 declares VOLUME /var/lib/postgresql/data and this image adds data there (line 2: COPY seed/ /var/lib/postgresql/data): containerd copies 64 MiB (seed/) into every container at start, and no Dockerfile can remove an inherited VOLUME"}},
		{"a RUN adds an unknown amount", []string{sized("models/a.bin", 100*mib)},
			"FROM alpine:3\nCOPY models/ /mnt/models/\nRUN curl -o /mnt/models/b.bin https://x/b.bin\nVOLUME /mnt/models\n",
			[]string{"4:8-4:19|containerd copies at least 100 MiB (models/) into every container"}},
		{"volume below a COPY . destination", []string{sized("data/db.sqlite", 2*gib), "app.py"},
			"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nVOLUME /app/data\n",
			[]string{"4:8-4:17|VOLUME /app/data covers data this image adds (line 3: COPY . .): containerd copies 2 GiB (data/) into every container at start"}},
		{"volume below a COPY . destination, nothing there", []string{"app.py"}, "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nVOLUME /app/data\n", nil},
		{"ignored data is not copied", []string{".dockerignore:data\n", sized("data/db.sqlite", 2*gib), "app.py"}, "FROM python:3.12-slim\nCOPY . /app\nVOLUME /app/data\n", nil},
		{"a directory source lands as its contents", []string{sized("models/a.bin", 100*mib)}, "FROM alpine:3\nCOPY models /app/\nVOLUME /app/models\n", nil},
		{"a named file in a volume directory", []string{sized("app.db", 3*mib)}, "FROM alpine:3\nCOPY app.db /data/\nVOLUME /data\n",
			[]string{"3:8-3:13|containerd copies 3 MiB (app.db) into every container"}},
		{"the whole context into the volume", []string{sized("a", 3*kib)}, "FROM alpine:3\nWORKDIR /srv\nCOPY . .\nVOLUME /srv\n",
			[]string{"4:8-4:12|containerd copies 3 KiB (the whole build context) into every container"}},
		{"nested COPYs of the same files are not counted twice", []string{sized("models/m.bin", 3*mib)},
			"FROM scratch\nCOPY . /app\nCOPY models /app/models\nVOLUME /app\n",
			[]string{"4:8-4:12|containerd copies at least 3 MiB ("}},
		{"nested COPYs of different files add up", []string{sized("data/x.db", 3*mib), sized("models/m.bin", 2*mib)},
			"FROM scratch\nCOPY data /app/\nCOPY models /app/models\nVOLUME /app\n",
			[]string{"4:8-4:12|containerd copies 5 MiB ("}},
		{"source missing from the context: no size", nil, "FROM alpine:3\nCOPY models/ /mnt/models/\nVOLUME /mnt/models\n",
			[]string{"3:8-3:19|: containerd copies it into every container at start;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t, tt.context...)
			ds := ruletest.RunEnv(t, VolumeOverImageData, tt.src, dockerfile.Options{}, ruletest.Env{Context: ctx, Bases: baseImages(testBases)})
			checkDiagnostics(t, ds, tt.want, ctx)
		})
	}
}

func TestVolumeOverImageDataCostRelated(t *testing.T) {
	ctx := testContext(t, sized("data/db.sqlite", 5*mib), sized("models/m.bin", 7*mib))
	src := "FROM alpine:3\nCOPY . /app\nCOPY models/ /app/data/models/\nVOLUME /app/data\n"
	ds := ruletest.RunEnv(t, VolumeOverImageData, src, dockerfile.Options{}, ruletest.Env{Context: ctx})
	checkDiagnostics(t, ds, []string{"4:8-4:17|(line 2: COPY . /app; line 3: COPY models/ /app/data/models/): containerd copies 12 MiB (data/ and models/) into every container"}, ctx)
	var rel []string
	for _, r := range ds[0].Related {
		rel = append(rel, r.Message)
	}
	want := []string{"copies data/ (5 MiB) to /app/data, under VOLUME /app/data", "adds /app/data/models under VOLUME /app/data (7 MiB from models/)"}
	if len(rel) != 2 || rel[0] != want[0] || rel[1] != want[1] {
		t.Errorf("related %q, want %q", rel, want)
	}
}

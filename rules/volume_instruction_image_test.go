package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

// testImage is an image whose history is steps (a leading "-" marks an
// entry that made no layer), with the config set by cfg.
func testImage(ref string, cfg func(*image.Image), steps ...string) *image.Image {
	img := &image.Image{Ref: ref, OS: "linux", Architecture: "amd64"}
	for _, s := range steps {
		empty := strings.HasPrefix(s, "-")
		img.History = append(img.History, image.History{CreatedBy: strings.TrimPrefix(s, "-"), EmptyLayer: empty})
	}
	if cfg != nil {
		cfg(img)
	}
	return img
}

// runImage runs r's CheckImage on img, with its history read as a
// Dockerfile as `dockvet image` does.
func runImage(t *testing.T, r *rule.Rule, img *image.Image) []rule.Diagnostic {
	t.Helper()
	f, _, err := imagesrc.HistoryDockerfile(img)
	if err != nil {
		t.Fatal(err)
	}
	var out []rule.Diagnostic
	r.CheckImage(rule.NewImagePass(r, img, f, func(d rule.Diagnostic) { out = append(out, d) }))
	return out
}

// builtImageCase is one row of a CheckImage table test.
type builtImageCase struct {
	name string
	img  *image.Image
	want []string // "line:col-line:col substring-of-message"
}

func runImageCases(t *testing.T, r *rule.Rule, tests []builtImageCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := runImage(t, r, tt.img)
			got := ruletest.Lines(ds)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d diagnostics, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				pos, msg, _ := strings.Cut(w, " ")
				if !strings.HasPrefix(got[i], pos+" ") || !strings.Contains(got[i], msg) {
					t.Errorf("diagnostic %d:\n got %s\nwant %s", i, got[i], w)
				}
			}
			for _, d := range ds {
				if d.Fix != nil {
					t.Errorf("image diagnostics have no fix: %+v", d.Fix)
				}
			}
		})
	}
}

func volumes(v ...string) func(*image.Image) {
	return func(img *image.Image) { img.Volumes = v; slices.Sort(img.Volumes) }
}

// debianBase is the history of a typical base image: the rootfs and its CMD.
var debianBase = []string{"/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / ", `-/bin/sh -c #(nop)  CMD ["bash"]`}

func steps(base []string, own ...string) []string { return append(slices.Clone(base), own...) }

func TestVolumeInstructionImage(t *testing.T) {
	runImageCases(t, VolumeInstruction, []builtImageCase{
		{"own VOLUME entry", testImage("app:1", volumes("/data"), steps(debianBase, "COPY . /app # buildkit", "-VOLUME [/data]")...),
			[]string{"4:9-4:16 history entry 4 `VOLUME [\"/data\"]`: VOLUME /data makes the runtime create an anonymous volume"}},
		{"two paths in one entry", testImage("app:1", volumes("/a", "/b/"), steps(debianBase, "-VOLUME [/a /b/]", `-CMD ["app"]`)...),
			[]string{`3:9-3:13 VOLUME /a makes`, `3:15-3:20 VOLUME /b/ makes`}},
		{"classic builder", testImage("app:1", volumes("/var/lib/mysql"), steps(debianBase, "/bin/sh -c apt-get install -y mysql-server", "-/bin/sh -c #(nop)  VOLUME [/var/lib/mysql]")...),
			[]string{"4:9-4:25 history entry 4 `VOLUME [\"/var/lib/mysql\"]`: VOLUME /var/lib/mysql makes"}},
		{"volume of the base part is DV102's", testImage("app:1", volumes("/var/lib/postgresql/data"), "ADD rootfs /", "-VOLUME [/var/lib/postgresql/data]", `-CMD ["postgres"]`, "COPY seed.sql /docker-entrypoint-initdb.d/ # buildkit"), nil},
		{"volume with no entry is DV102's", testImage("app:1", volumes("/data"), steps(debianBase, "COPY . /app # buildkit")...), nil},
		{"no volumes", testImage("app:1", nil, steps(debianBase, "-VOLUME [/data]")...), nil},
		{"FROM scratch data image: entry 1", testImage("data:1", volumes("/data"), "-VOLUME [/data]", "COPY data /data # buildkit"),
			[]string{"1:9-1:16 history entry 1 `VOLUME [\"/data\"]`: VOLUME /data makes"}},
	})
}

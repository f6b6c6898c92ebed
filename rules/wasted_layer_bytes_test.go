package rules

import (
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/rule"
)

// wasteHistory: debianBase (layer 0), RUN apt (layer 1), COPY models
// (layer 2), RUN rm lists (layer 3), RUN chmod (layer 4).
func wasteHistory() []string {
	return steps(debianBase,
		"RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit",
		"COPY models/ /mnt/models/ # buildkit",
		"RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit",
		"RUN /bin/sh -c chmod 644 /mnt/models/model.bin # buildkit",
	)
}

// wasteDeep: 40 MiB of lists deleted by layer 3, 24 MiB of model
// overwritten by layer 4.
func wasteDeep() *image.DeepInfo {
	return &image.DeepInfo{
		Layers: make([]image.DeepLayer, 5),
		Wasted: 64 * mib,
		Waste: []image.WastedPath{
			{Path: "/var/lib/apt/lists/*", Bytes: 40 * mib, Files: 5, Layer: 1, By: 3, How: image.WasteDeleted},
			{Path: "/mnt/models/model.bin", Bytes: 24 * mib, Files: 1, Layer: 2, By: 4, How: image.WasteOverwritten},
		},
		WastePairs: []image.WastePair{{Layer: 1, By: 3, Bytes: 40 * mib, Files: 5}, {Layer: 2, By: 4, Bytes: 24 * mib, Files: 1}},
	}
}

func TestWastedLayerBytes(t *testing.T) {
	small := wasteDeep()
	small.Wasted = 50 * mib // at the limit: not over it
	runImageCases(t, WastedLayerBytes, []builtImageCase{
		{"over the default limit",
			testImage("app:1", withDeep(nil, wasteDeep()), wasteHistory()...),
			[]string{"5:1-5:32 history entry 5 `RUN rm -rf /var/lib/apt/lists/*`: later layers delete or overwrite 64 MiB that earlier layers add, more than max-wasted-bytes 50 MiB; every node still pulls and stores those bytes: /var/lib/apt/lists/* (40 MiB, 5 files) added by history entry 3, deleted by history entry 5; /mnt/models/model.bin (24 MiB) added by history entry 4, overwritten by history entry 6. Remove files in the RUN that creates them"}},
		{"at the limit", testImage("app:1", withDeep(nil, small), wasteHistory()...), nil},
		{"without --deep the rule is silent", testImage("app:1", withDeep(nil, nil), wasteHistory()...), nil},
		{"nothing wasted", testImage("app:1", withDeep(nil, &image.DeepInfo{Layers: make([]image.DeepLayer, 5)}), wasteHistory()...), nil},
	})

	img := testImage("app:1", withDeep(nil, wasteDeep()), wasteHistory()...)
	ds := runImage(t, WastedLayerBytes, img)
	if len(ds) != 1 {
		t.Fatalf("%d diagnostics", len(ds))
	}
	var rel []string
	for _, r := range ds[0].Related {
		rel = append(rel, r.Message)
		if r.Range.Start.Line == 0 {
			t.Errorf("related at line 0: %q", r.Message)
		}
	}
	want := []string{
		"adds 40 MiB (5 files) that history entry 5 deletes",
		"adds 24 MiB that history entry 6 overwrites",
		"overwrites 24 MiB that history entry 4 added",
	}
	if strings.Join(rel, "\n") != strings.Join(want, "\n") {
		t.Errorf("related:\n%s\nwant\n%s", strings.Join(rel, "\n"), strings.Join(want, "\n"))
	}
}

func TestWastedLayerBytesLimit(t *testing.T) {
	img := testImage("app:1", withDeep(nil, wasteDeep()), wasteHistory()...)
	f, _, err := imagesrc.HistoryDockerfile(img)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		limit int64
		want  int
	}{{100 * mib, 0}, {10 * mib, 1}, {64*mib - 1, 1}, {64 * mib, 0}} {
		var n int
		pass := rule.NewImagePass(WastedLayerBytes, img, f, func(d rule.Diagnostic) {
			n++
			if tt.limit == 10*mib && !strings.Contains(d.Message, "more than max-wasted-bytes 10 MiB") {
				t.Errorf("message: %s", d.Message)
			}
		})
		pass.Limits.MaxWastedBytes = tt.limit
		WastedLayerBytes.CheckImage(pass)
		if n != tt.want {
			t.Errorf("limit %d: %d findings, want %d", tt.limit, n, tt.want)
		}
	}
}

func TestWastedLayerBytesNoHistory(t *testing.T) {
	// Layers that the history does not account for are named by position,
	// and the finding is about the image as a whole.
	img := testImage("app:1", nil, "RUN /bin/sh -c true # buildkit")
	img.Layers = make([]image.Layer, 5)
	img.Deep = wasteDeep()
	ds := runImage(t, WastedLayerBytes, img)
	if len(ds) != 1 || ds[0].Range.Start.Line != 0 || len(ds[0].Related) != 0 ||
		!strings.HasPrefix(ds[0].Message, "layer 4: later layers delete or overwrite 64 MiB") ||
		!strings.Contains(ds[0].Message, "/var/lib/apt/lists/* (40 MiB, 5 files) added by layer 2, deleted by layer 4") {
		t.Errorf("%+v", ds)
	}
}

package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// imageTable is a table as `dockvet image --layers` fills it: sizes from 0 B
// to GiB, empty steps, a long created-by, marks.
func imageTable() LayerTable {
	return LayerTable{
		Title:    "oci-layout:app:v1 · linux/amd64 · sha256:0123456789ab",
		Column:   "entry",
		SizeNote: "compressed",
		Rows: []LayerRow{
			{Label: "1", Size: 29_150_000, Text: "ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 /"},
			{Label: "2", Empty: true, Text: `CMD ["bash"]`, Marks: []Mark{{Text: "empty"}}},
			{Label: "3", Size: 1536 << 20, Text: "RUN apt-get update && apt-get install -y --no-install-recommends build-essential curl git python3 python3-pip && pip install torch", Marks: []Mark{{Text: "wasted 120 MiB", Warning: true}}},
			{Label: "4", Size: 0, Text: "WORKDIR /app"},
			{Label: "5", Size: 1, Text: "COPY go.mod /app/"},
			{Label: "6", Size: 1023, Text: "COPY\tgo.sum\n/app/"},
			{Label: "7", Size: 300 << 20, Text: "COPY models /mnt/models", Marks: []Mark{{Text: "VOLUME /mnt/models", Warning: true}, {Text: "over max-layer-size 256 MiB", Warning: true}}},
			{Label: "8", Empty: true, Text: `VOLUME ["/mnt/models"]`, Marks: []Mark{{Text: "empty"}, {Text: "VOLUME /mnt/models", Warning: true}}},
			{Label: "9", Size: 200 << 10, Text: "COPY 日本語のファイル名.txt /app/ — ünïcödé"},
			{Label: "10", Empty: true, Text: "", Marks: []Mark{{Text: "empty"}}},
		},
		Notes: []string{"sizes are the compressed sizes from the manifest"},
	}
}

// contextTable is a table as `dockvet lint --layers` fills it: unknown
// sizes, a lower bound, a base image.
func contextTable() LayerTable {
	return LayerTable{
		Title:  "services/api/Dockerfile (final stage runtime)",
		Column: "line",
		Rows: []LayerRow{
			{Label: "1", Size: 48 << 20, Text: "FROM python:3.12-slim", Marks: []Mark{{Text: "base image, compressed"}}},
			{Label: "3", Size: UnknownSize, Text: "RUN pip install --no-cache-dir -r requirements.txt"},
			{Label: "4", Size: 2 << 30, AtLeast: true, Text: "COPY . /app", Marks: []Mark{{Text: "some of the context could not be read"}}},
			{Label: "12", Size: UnknownSize, Text: "COPY --from=build /src/bin/app /usr/local/bin/app", Marks: []Mark{{Text: "from stage build"}}},
		},
		Notes: []string{"the base image is counted compressed, the build context uncompressed"},
	}
}

func TestLayersGolden(t *testing.T) {
	unknownOnly := LayerTable{Title: "Dockerfile", Column: "line", Rows: []LayerRow{
		{Label: "1", Empty: true, Text: "FROM scratch"},
		{Label: "2", Size: UnknownSize, Text: "RUN make"},
	}}
	deep := imageTable()
	deep.Uncompressed = 4 << 30
	deep.Notes = nil
	tests := []struct {
		golden string
		table  LayerTable
		color  bool
	}{
		{"layers_image", imageTable(), false},
		{"layers_image_color", imageTable(), true},
		{"layers_image_deep", deep, false},
		{"layers_context", contextTable(), false},
		{"layers_unknown_only", unknownOnly, false},
		{"layers_no_rows", LayerTable{Title: "oci-layout:empty"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := WriteLayers(&buf, tt.table, Options{Color: tt.color}); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.golden, buf.String())
		})
	}
}

// TestLayersWidth checks that no line is wider than 100 cells, that every
// line is valid UTF-8 without control characters and that the uncolored
// output has no escape sequences and no trailing spaces.
func TestLayersWidth(t *testing.T) {
	long := strings.Repeat("x", 300)
	tables := []LayerTable{imageTable(), contextTable(), {
		Title: long,
		Rows: []LayerRow{
			{Label: "123456", Size: 1 << 62, Text: long, Marks: []Mark{{Text: long, Warning: true}, {Text: "second"}}},
			{Label: "2", Size: 5, Text: "", Marks: []Mark{{Text: long}}},
			{Label: "3", Size: 5, Text: "\x1b[31mred\x00\r\nnext\xff", Marks: []Mark{{Text: "a"}}},
		},
	}}
	for _, tb := range tables {
		var buf bytes.Buffer
		if err := WriteLayers(&buf, tb, Options{}); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
			if w := width(line); w > tableWidth {
				t.Errorf("line of %d cells: %q", w, line)
			}
			if !utf8.ValidString(line) || strings.ContainsAny(line, "\x1b\x00\r\t") {
				t.Errorf("bad characters: %q", line)
			}
			if strings.TrimRight(line, " ") != line {
				t.Errorf("trailing space: %q", line)
			}
		}
	}
}

func TestBarText(t *testing.T) {
	tests := []struct {
		size, largest int64
		want          string
	}{
		{0, 100, ""},
		{100, 100, strings.Repeat("█", barWidth)},
		{50, 100, strings.Repeat("█", barWidth/2)},
		{1, 1 << 40, "▏"}, // never invisible
		{1 << 62, 1 << 62, strings.Repeat("█", barWidth)},
		{3, 160, "▍"}, // 3/160 of 160 eighths
		{17, 160, "██▏"},
		{5, UnknownSize, ""},
	}
	for _, tt := range tests {
		if got := barText(tt.size, tt.largest); got != tt.want {
			t.Errorf("barText(%d, %d) = %q, want %q", tt.size, tt.largest, got, tt.want)
		}
	}
}

func TestTotalText(t *testing.T) {
	tests := []struct {
		table LayerTable
		want  string
	}{
		{LayerTable{Uncompressed: UnknownSize}, "total: no layers"},
		{LayerTable{Uncompressed: UnknownSize, Rows: []LayerRow{{Size: 1 << 20}, {Empty: true}}}, "total: 1 layer, 1 MiB"},
		{LayerTable{Rows: []LayerRow{{Size: 5}}}, "total: 1 layer, 5 B"}, // zero: uncompressed size unknown
		{LayerTable{Uncompressed: 3 << 20, SizeNote: "compressed", Rows: []LayerRow{{Size: 1 << 20}, {Size: 1 << 20}}}, "total: 2 layers, 2 MiB compressed, 3 MiB uncompressed"},
		{LayerTable{Uncompressed: UnknownSize, Rows: []LayerRow{{Size: 1 << 20}, {Size: UnknownSize}}}, "total: 2 layers, at least 1 MiB (1 of unknown size)"},
		{LayerTable{Uncompressed: UnknownSize, Rows: []LayerRow{{Size: 1 << 20, AtLeast: true}}}, "total: 1 layer, at least 1 MiB"},
		{LayerTable{Uncompressed: UnknownSize, Rows: []LayerRow{{Size: UnknownSize}}}, "total: 1 layer, size unknown"},
	}
	for _, tt := range tests {
		if got := totalText(tt.table); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

package rules

import (
	"reflect"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
)

func TestMeasureContext(t *testing.T) {
	ctx := testContext(t, "models/a.bin=314572800", "src/main.go=2048", ".dockerignore:secret\n", "secret=999", "app.tar.gz=4096")
	f, err := dockerfile.Parse("Dockerfile", []byte(`FROM alpine:3.20 AS build
RUN make
FROM alpine:3.20
COPY . /app
COPY --from=build /out /out
ADD https://example.com/x.bin app.tar.gz /opt/
ADD https://example.com/y.bin /opt/
COPY missing /m
COPY <<EOF /etc/conf
x
EOF
RUN echo
`), dockerfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byLine := map[int]*ContextSize{}
	for _, in := range f.FinalInstructions() {
		byLine[in.StartLine] = MeasureContext(ctx, in)
	}
	want := map[int]*ContextSize{
		3: nil,                                                                               // FROM
		4: {Bytes: 300<<20 + 2048 + 4096 + int64(len("secret\n")), Files: 4, Measured: true}, // .dockerignore is sent too
		5: nil,                                                                               // --from
		6: {Bytes: 4096, Files: 1, Measured: true, Unknown: []string{
			"https://example.com/x.bin (remote, size unknown: never downloaded)", "app.tar.gz (archive, unpacked size unknown)"}},
		7:  {Unknown: []string{"https://example.com/y.bin (remote, size unknown: never downloaded)"}},
		8:  {Unknown: []string{"missing (not in the build context, not counted)"}},
		9:  {},
		12: nil, // RUN
	}
	for line, w := range want {
		if got := byLine[line]; !reflect.DeepEqual(got, w) {
			t.Errorf("line %d: got %+v, want %+v", line, got, w)
		}
	}
	if got := MeasureContext(nil, f.FinalInstructions()[1]); got != nil {
		t.Errorf("no context: got %+v", got)
	}
}

package manifest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// podDoc is a document of 7 lines whose image is on its line 6, column 12,
// with a suppression comment above it.
func podDoc(i int) string {
	return fmt.Sprintf("---\n# Source: chart/templates/pod-%d.yaml\nkind: Pod\nmetadata: {name: p%d}\nspec:\n  containers:\n  - name: a\n    # dockvet ignore=DV201\n    image: team/app%d:1\n", i, i, i)
}

const podDocLines = 9

// readAll reads a stream to its end, calling Done after every document as
// a run does after each batch, and returns the documents' workloads and
// the suppressions above their images, read while the document is at hand.
func readAll(t *testing.T, s *Stream) (ws []*Workload, suppressed []int, err error) {
	t.Helper()
	for {
		f, err := s.Next()
		if errors.Is(err, io.EOF) {
			return ws, suppressed, nil
		}
		if err != nil {
			return ws, suppressed, err
		}
		for _, w := range f.Workloads {
			ws = append(ws, w)
			for _, u := range w.Images() {
				suppressed = append(suppressed, len(f.Suppressed(u.Range.Start.Line)))
			}
		}
		s.Done()
	}
}

// TestStreamPositions: a stream long enough to be read in many chunks (a
// decoder each) gives every document's positions in the stream's lines,
// keeps the lines of the document at hand (suppression comments work in
// the last chunk as in the first) and releases the others.
func TestStreamPositions(t *testing.T) {
	const n = 2_000 // about 300 KB: ten chunks
	var b strings.Builder
	for i := range n {
		b.WriteString(podDoc(i))
	}
	s := NewStream("s.yaml", strings.NewReader(b.String()), nil)
	ws, suppressed, err := readAll(t, s)
	if err != nil || len(ws) != n {
		t.Fatalf("%d workloads, %v; want %d", len(ws), err, n)
	}
	for i, w := range ws {
		img := w.Images()[0]
		if want := i*podDocLines + 9; img.Range.Start.Line != want || img.Range.Start.Col != 12 || img.Ref != fmt.Sprintf("team/app%d:1", i) {
			t.Fatalf("document %d: image %q at %d:%d, want line %d col 12", i, img.Ref, img.Range.Start.Line, img.Range.Start.Col, want)
		}
		if suppressed[i] != 1 {
			t.Fatalf("document %d: %d suppressions above its image, want 1", i, suppressed[i])
		}
	}
	if held := len(s.lines.lines); held > 2*(minChunk/len(podDoc(0))+1)*podDocLines {
		t.Errorf("the stream holds %d lines after its end, want at most two chunks'", held)
	}
	if _, ok := (&File{window: &s.lines}).Line(1); ok {
		t.Error("line 1 is still held at the end of the stream")
	}
}

// TestStreamErrors: an error in a late chunk is at its line and column in
// the stream, reader errors (a byte offset) as well; directives stay with
// their document, and a marker line may hold the document's start.
func TestStreamErrors(t *testing.T) {
	var head strings.Builder
	for i := range 1_000 {
		head.WriteString(podDoc(i))
	}
	late := 1_000*podDocLines + 1 // the line after the good documents
	tests := []struct {
		name, tail string
		line, col  int
		msg        string
	}{
		{"mapping in a value", "---\nkind: Pod\nspec: a: b\n", late + 2, 8, "invalid YAML: mapping values are not allowed"},
		{"unclosed flow", "---\nkind: Pod\nspec: [a\n", late + 3, 1, "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts at " + fmt.Sprint(late+2) + ":7)"},
		{"invalid UTF-8", "---\nkind: Pod\nspec: é\xff\n", late + 2, 8, "invalid YAML: invalid leading UTF-8 octet"},
		{"control character", "---\nkind: Pod\r\nspec: \x01\r\n", late + 2, 7, "invalid YAML: control characters are not allowed"},
		{"undefined alias", "---\nkind: Pod\nspec: *s\n", late + 2, 7, "invalid YAML: unknown anchor 's' referenced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, NewStream("s.yaml", strings.NewReader(head.String()+tt.tail), nil))
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line != tt.line || se.Col != tt.col || !strings.HasPrefix(se.Msg, tt.msg) {
				t.Errorf("error %v, want s.yaml:%d:%d: %s", err, tt.line, tt.col, tt.msg)
			}
		})
	}
	t.Run("directives and markers", func(t *testing.T) {
		text := head.String() + "...\n%YAML 1.1\n---\nkind: Pod\nspec: {containers: [{name: a, image: x:1}]}\n--- {kind: Pod, spec: {containers: [{name: b, image: y:1}]}}\n"
		ws, _, err := readAll(t, NewStream("s.yaml", strings.NewReader(text), nil))
		if err != nil || len(ws) != 1_002 {
			t.Fatalf("%d workloads, %v", len(ws), err)
		}
		if r := ws[1_000].Images()[0].Range.Start; r.Line != late+4 || r.Col != 38 {
			t.Errorf("image after a directive at %d:%d, want %d:38", r.Line, r.Col, late+4)
		}
		if r := ws[1_001].Images()[0].Range.Start; r.Line != late+5 || r.Col != 54 {
			t.Errorf("image on a marker line at %d:%d, want %d:54", r.Line, r.Col, late+5)
		}
	})
}

// TestStreamReadError: an input that fails is that error, not a YAML one.
func TestStreamReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader(podDoc(0)), &failingReader{boom})
	if _, _, err := readAll(t, NewStream("s.yaml", r, nil)); !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
}

type failingReader struct{ err error }

func (f *failingReader) Read([]byte) (int, error) { return 0, f.err }

// TestStreamSawManifestKey: whether text that fails to parse was meant to
// be a manifest is judged on all its lines, those after the error too.
func TestStreamSawManifestKey(t *testing.T) {
	filler := strings.Repeat("# padding\n", minChunk/10+10) // past the first chunk
	tests := []struct {
		name, text string
		want       bool
	}{
		{"helm template", "{{- if .Values.enabled }}\nfoo: {{ .Values.foo }}\n", false},
		{"kind after the error", "a: b: c\n" + filler + "---\nkind: Deployment\n", true},
		{"services", "services: [\n", true},
		{"indented kind", "a: b: c\n  kind: Pod\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewStream("s.yaml", strings.NewReader(tt.text), nil)
			if _, _, err := readAll(t, s); err == nil {
				t.Fatal("no error")
			}
			if got := s.SawManifestKey(); got != tt.want {
				t.Errorf("SawManifestKey() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestStreamDocumentTooLarge: text without a document start marker is
// decoded whole, so it is bounded (an endless `yes |` on stdin must not grow
// memory to the stream's size limit); a long stream of separated documents
// is not.
func TestStreamDocumentTooLarge(t *testing.T) {
	line := "# filler line of a document that never ends\n"
	endless := io.LimitReader(&repeatReader{s: line}, MaxDocumentText+int64(len(line))*4)
	_, _, err := readAll(t, NewStream("s.yaml", endless, nil))
	var tl *DocumentTooLargeError
	if !errors.As(err, &tl) || tl.Line != 1 {
		t.Fatalf("error %v, want a DocumentTooLargeError from line 1", err)
	}
	// The same amount of text cut into documents reads to the end.
	doc := podDoc(0)
	n := MaxDocumentText/len(doc) + 10
	ws, _, err := readAll(t, NewStream("s.yaml", io.LimitReader(&repeatReader{s: doc}, int64(n*len(doc))), nil))
	if err != nil {
		t.Fatalf("separated documents: %v", err)
	}
	if len(ws) != n {
		t.Fatalf("%d workloads read, want %d", len(ws), n)
	}
}

// repeatReader repeats s forever.
type repeatReader struct {
	s   string
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.s[r.off:])
		n += c
		r.off = (r.off + c) % len(r.s)
	}
	return n, nil
}

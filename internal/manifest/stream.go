package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	yaml "go.yaml.in/yaml/v4"

	"github.com/dockvet/dockvet/internal/yamlerr"
)

// MaxAliasedObjects bounds the Kubernetes objects of a stream that are
// reached through YAML aliases (a List item *pod): a few hundred bytes of
// aliases can name a List of Lists of a billion pods (the YAML library
// bounds aliases only when decoding into Go values). Objects written out
// cost their bytes, so they need no bound beyond the input's size; no real
// manifest names whole objects by alias.
const MaxAliasedObjects = 10_000

// Stream reads a manifest stream (a Kubernetes multi-document file, helm
// template output on stdin, a Compose file) one YAML document at a time, so
// that a run keeps only what it reports, whatever the stream's length.
//
// The stream is cut into chunks of documents at document start markers (a
// line starting with "---"), each decoded by a decoder of its own: YAML forbids
// "---" at the start of a line inside a document, so a cut never splits
// one, and the YAML library's decoder keeps every comment it has scanned
// (and searches them) for as long as it lives, which made a long stream's
// memory and time grow with its length. Node lines are shifted back to
// the stream's.
type Stream struct {
	name   string
	lookup func(string) (string, bool)
	in     *bufio.Reader
	err    error // the first error; Next returns it from then on

	lines   lineWindow
	pending string // a "---" line read that starts the next chunk
	eof     bool   // the input is read to its end

	dec        *yaml.Decoder // the current chunk's decoder; nil between chunks
	chunk      string        // the current chunk's text
	buf        []byte        // reused to read a chunk
	chunkFirst int           // the stream line of the chunk's first line
	chunkStart bool          // the chunk starts the stream (a BOM counts)

	aliased int  // objects reached through aliases
	done    bool // the documents returned so far are done with (Done)

	// Skipped counts the documents of other kinds read so far, by kind.
	Skipped map[string]int
	// Workloads counts the workloads read so far.
	Workloads int
	// Compose is set once a Compose document was read.
	Compose bool
}

// NewStream reads a stream named name (the path as given, or the stdin
// name) from r. lookup gives Compose interpolation its variables (nil:
// none).
func NewStream(name string, r io.Reader, lookup func(string) (string, bool)) *Stream {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	return &Stream{name: name, lookup: lookup, in: bufio.NewReader(r), lines: lineWindow{first: 1}, Skipped: map[string]int{}}
}

// Next returns the next document as a File of the stream's name holding
// the document's workloads (none for another kind or an empty document);
// io.EOF after the last. Its lines are those the stream still holds (see
// Done): the document's own, suppression comments included. An error
// (invalid YAML, a failed interpolation, too many aliased objects, a read
// error) ends the stream.
func (s *Stream) Next() (*File, error) {
	if s.err != nil {
		return nil, s.err
	}
	doc, err := s.nextNode()
	if err != nil {
		s.err = err
		return nil, err
	}
	if s.done && doc.Line > 0 {
		// The lines before this document's first node are the earlier
		// documents' (and comments above this one, such as helm's
		// "# Source:", that no suppression reads).
		s.lines.release(doc.Line)
		s.done = false
	}
	f := &File{Name: s.name, window: &s.lines}
	if isComposeDocument(doc) {
		if err := f.addComposeDocument(doc, s.lookup); err != nil {
			s.err = err
			return nil, err
		}
		s.Compose = true
	} else {
		s.addKubeDocument(f, doc, false)
		if s.aliased > MaxAliasedObjects {
			s.err = &SyntaxError{File: s.name, Msg: fmt.Sprintf("more than %d Kubernetes objects named through YAML aliases (aliases can name more objects than a file holds): not linted", MaxAliasedObjects)}
			return nil, s.err
		}
	}
	for k, n := range f.Skipped {
		s.Skipped[k] += n
	}
	s.Workloads += len(f.Workloads)
	for _, w := range f.Workloads {
		imgs := w.Images() // made here, so that rules only read the list
		for i := range imgs {
			imgs[i].Judgeable()
		}
	}
	return f, nil
}

// Done says the documents Next returned so far are done with: their lines
// are released when the next document is read.
func (s *Stream) Done() { s.done = true }

// SawManifestKey reports whether a line of the stream starts with a
// Kubernetes object's or a Compose file's top-level key (kind:,
// apiVersion:, services:): text meant to be a manifest. After an error the
// lines not yet read are scanned too (and not kept).
func (s *Stream) SawManifestKey() bool {
	atLineStart := true
	for !s.lines.manifestKey && s.err != nil && !s.eof {
		l, err := s.in.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			s.eof = true
		}
		if atLineStart {
			s.lines.noteKey(string(l))
		}
		atLineStart = len(l) > 0 && l[len(l)-1] == '\n'
	}
	return s.lines.manifestKey
}

// nextNode decodes the next document of the stream, its lines those of the
// stream.
func (s *Stream) nextNode() (*yaml.Node, error) {
	for {
		if s.dec == nil {
			if !s.readChunk() {
				if s.lines.readErr != nil {
					return nil, s.lines.readErr // too large, unreadable: not a YAML problem
				}
				return nil, io.EOF
			}
			s.dec = yaml.NewDecoder(strings.NewReader(s.chunk))
		}
		var doc yaml.Node
		err := s.dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			s.dec, s.chunk = nil, ""
			continue
		}
		if err != nil {
			p := yamlerr.LocateIn([]byte(s.chunk), s.chunkFirst, s.chunkStart, err)
			return nil, &SyntaxError{File: s.name, Line: p.Line, Col: p.Col, Msg: "invalid YAML: " + p.Msg}
		}
		shiftLines(&doc, s.chunkFirst-1)
		if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
			return doc.Content[0], nil
		}
		return &doc, nil
	}
}

// MaxDocumentText bounds the text read without a document start marker
// ("---"): a stream may be long, but what is decoded at once is held whole,
// with its node tree. 16 MiB is what a whole manifest file could be before
// streaming.
const MaxDocumentText = 16 << 20

// DocumentTooLargeError is a stream with more than MaxDocumentText bytes
// between two document start markers.
type DocumentTooLargeError struct {
	File string
	Line int // where the oversized text starts
}

func (e *DocumentTooLargeError) Error() string {
	return fmt.Sprintf("more than %d MiB of YAML from line %d without a document start marker (---): a single document this large is not read", MaxDocumentText>>20, e.Line)
}

// minChunk is the least text a chunk holds before it is cut at a document
// start marker: a decoder per chunk costs a few kilobytes, and a decoder's
// comments only grow within its chunk.
const minChunk = 32 << 10

// readChunk reads the next chunk: from a document start marker (or the
// start of the stream) to the line before the first marker after minChunk
// bytes. It reports
// false when the input has no more. The window's lines are substrings of
// the chunk: the text is held once.
func (s *Stream) readChunk() bool {
	s.chunkStart = s.lines.first == 1 && len(s.lines.lines) == 0 && s.pending == ""
	s.chunkFirst = s.lines.first + len(s.lines.lines)
	buf := append(s.buf[:0], s.pending...)
	s.pending = ""
	directives := strings.HasPrefix(string(buf), "%")
	for !s.eof {
		l, err := s.in.ReadSlice('\n')
		// ErrBufferFull is a long line: the rest comes in the next slices.
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.lines.readErr = err
				return false
			}
		}
		if len(l) == 0 {
			break
		}
		// A directive (%YAML) belongs with the document after it: no cut
		// in a chunk that has one.
		if len(buf) >= minChunk && !directives && buf[len(buf)-1] == '\n' && isDocumentStart(l) {
			s.pending = string(l)
			if l[len(l)-1] != '\n' && !s.eof {
				// the marker line is longer than the buffer: keep it whole
				rest, err := s.in.ReadString('\n')
				s.pending += rest
				if err != nil {
					s.eof = true
				}
			}
			break
		}
		directives = directives || (len(buf) == 0 || buf[len(buf)-1] == '\n') && l[0] == '%'
		buf = append(buf, l...)
		if len(buf) > MaxDocumentText {
			// A chunk is cut only at a document start marker: text this
			// long without one is a single document (or a stream with no
			// separators) that would be held and decoded whole.
			s.lines.readErr = &DocumentTooLargeError{File: s.name, Line: s.chunkFirst}
			s.eof = true
			s.buf, s.chunk = nil, ""
			return false
		}
	}
	s.buf = buf
	s.chunk = string(buf)
	for rest := s.chunk; rest != ""; {
		i := strings.IndexByte(rest, '\n') + 1
		if i == 0 {
			i = len(rest)
		}
		s.lines.add(rest[:i])
		rest = rest[i:]
	}
	return s.chunk != ""
}

// isDocumentStart reports whether a line is a document start marker: "---"
// at the start of the line, then a space, a tab or the line's end.
func isDocumentStart(l []byte) bool {
	rest, ok := bytes.CutPrefix(l, []byte("---"))
	return ok && (len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r')
}

// shiftLines moves a decoded chunk's node lines to the stream's. Aliases
// are not followed: the node they name is shifted where it is written.
func shiftLines(n *yaml.Node, by int) {
	if by == 0 {
		return
	}
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// lineWindow keeps the stream's lines read since the last release, for
// suppression comments and the source lines shown with findings.
type lineWindow struct {
	first       int      // line number of lines[0]
	lines       []string // as read, terminators included
	manifestKey bool
	readErr     error // the first error reading the input (not io.EOF)
}

func (w *lineWindow) add(l string) {
	w.noteKey(l)
	w.lines = append(w.lines, l)
}

// noteKey notes a line that starts with a manifest's top-level key.
func (w *lineWindow) noteKey(l string) {
	if strings.HasPrefix(l, "kind:") || strings.HasPrefix(l, "apiVersion:") || strings.HasPrefix(l, "services:") {
		w.manifestKey = true
	}
}

// line returns line n (1-based) without its terminator, if still held.
func (w *lineWindow) line(n int) (string, bool) {
	i := n - w.first
	if i < 0 || i >= len(w.lines) {
		return "", false
	}
	l := strings.TrimSuffix(w.lines[i], "\n")
	return strings.TrimSuffix(l, "\r"), true
}

func (w *lineWindow) release(line int) {
	k := min(max(line-w.first, 0), len(w.lines))
	clear(w.lines[:k])
	w.lines = w.lines[k:]
	w.first += k
	if len(w.lines) == 0 {
		w.lines = nil // lets the backing array go
	}
}

package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// SyntaxError is a file that is not valid YAML (or a Compose file whose
// interpolation fails): the whole file is an error.
type SyntaxError struct {
	File string
	// Line and Col locate the offending character (1-based, columns in
	// characters); 0 when unknown.
	Line, Col int
	// Msg says what is wrong ("invalid YAML: ...").
	Msg string
}

func (e *SyntaxError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Parse reads a whole manifest: a Kubernetes multi-document stream (or
// List), or a Compose file (a document with top-level services). lookup
// gives the variables for Compose interpolation (the environment, then
// .env). The file keeps all its workloads and lines; a run reads a Stream
// instead, one document at a time.
func Parse(name string, data []byte, lookup func(string) (string, bool)) (*File, error) {
	f := &File{Name: name, Lines: splitLines(data)}
	s := NewStream(name, bytes.NewReader(data), lookup)
	for {
		doc, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		f.Workloads = append(f.Workloads, doc.Workloads...)
		s.lines.release(math.MaxInt) // f has its own lines
	}
	f.Compose = s.Compose
	if len(s.Skipped) > 0 {
		f.Skipped = s.Skipped
	}
	return f, nil
}

// splitLines splits text into lines without their terminators (\n or
// \r\n).
func splitLines(data []byte) []string {
	s := string(data)
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

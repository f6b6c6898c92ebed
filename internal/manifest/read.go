package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// SyntaxError is a file that is not valid YAML (or a Compose file whose
// interpolation fails): the whole file is an error.
type SyntaxError struct {
	File string
	// Line is 1-based, 0 when the YAML library gives none.
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return e.File + ": " + e.Detail() }

// Detail is the error without the file name, for a report that prints the
// file itself.
func (e *SyntaxError) Detail() string {
	if e.Line > 0 {
		return fmt.Sprintf("invalid YAML at line %d: %s", e.Line, e.Msg)
	}
	return "invalid YAML: " + e.Msg
}

// yamlLine is compiled on first use: dockvet lint never parses a manifest.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): `) })

// Parse reads a manifest: a Kubernetes multi-document stream (or List), or
// a Compose file (a document with top-level services). lookup gives the
// variables for Compose interpolation (the environment, then .env).
// MaxObjects bounds the Kubernetes objects (documents and List items) read
// from one file: a 1,000-service cluster's whole manifest stays far below.
const MaxObjects = 100_000

func Parse(name string, data []byte, lookup func(string) (string, bool)) (*File, error) {
	f := &File{Name: name, Lines: splitLines(data)}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			se := &SyntaxError{File: name, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
			if m := yamlLine().FindStringSubmatch(err.Error()); m != nil {
				se.Line, _ = strconv.Atoi(m[1])
				se.Msg = strings.TrimPrefix(err.Error(), m[0])
			}
			return nil, se
		}
		if isComposeDocument(&doc) {
			if lookup == nil {
				lookup = func(string) (string, bool) { return "", false }
			}
			if err := f.addComposeDocument(&doc, lookup); err != nil {
				return nil, &SyntaxError{File: name, Msg: err.Error()}
			}
			continue
		}
		f.addKubeDocument(&doc)
		if f.tooMany {
			return nil, &SyntaxError{File: name, Msg: fmt.Sprintf("more than %d Kubernetes objects (YAML aliases can name more than a file holds): not linted", MaxObjects)}
		}
	}
	for _, w := range f.Workloads {
		imgs := w.Images() // made here, so that rules only read the list
		for i := range imgs {
			imgs[i].Judgeable()
		}
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

package yamlerr

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

// decodeAll reads every document of a stream as dockvet does, returning
// the first error.
func decodeAll(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// TestLocate: one broken input per kind of error the YAML library reports,
// with the line and column of the offending character (1-based, in
// characters) and the start of the message.
func TestLocate(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		line, col int
		msg       string
	}{
		{"tab for indentation", "a:\n\tb: c\n", 2, 1, "found character that cannot start any token"},
		{"tab after a scalar", "a:\n  b: 1\n\t c: 2\n", 3, 1, "found a tab character that violates indentation (while scanning a plain scalar that starts at 2:6)"},
		{"unclosed double quote", "a: \"abc\nb: c\n", 3, 1, "found unexpected end of stream (while scanning a quoted scalar that starts at 1:4)"},
		{"unclosed single quote", "a: 'abc\n", 2, 1, "found unexpected end of stream (while scanning a quoted scalar that starts at 1:4)"},
		{"mapping in a plain value", "a: b: c\n", 1, 5, "mapping values are not allowed in this context"},
		{"unclosed flow sequence", "a: [1, 2\nb: c\n", 2, 2, "did not find expected ',' or ']' (while parsing a flow sequence that starts at 1:4)"},
		{"unclosed flow mapping", "a: {x: 1\n", 2, 1, "did not find expected ',' or '}' (while parsing a flow mapping that starts at 1:4)"},
		{"bad indentation", "a:\n  b: 1\n c: 2\n", 3, 2, "did not find expected key (while parsing a block mapping that starts at 1:1)"},
		{"block scalar dedented", "a: |\n  x\n y\n", 3, 2, "did not find expected key"},
		{"sequence then mapping", "- a\nb: c\n", 2, 1, "did not find expected '-' indicator"},
		{"undefined alias", "a: 1\nb: *nope\n", 2, 4, "unknown anchor 'nope' referenced"},
		{"bad anchor", "a: &\n", 1, 5, "did not find expected alphabetic or numeric character"},
		{"bad escape", "a: \"x\\q\"\n", 1, 6, "found unknown escape character"},
		{"bad tag", "a: !<x\n", 1, 7, "did not find the expected '>'"},
		{"unknown directive", "%FOO\n---\na: 1\n", 1, 5, "found unknown directive name"},
		{"error in a later document", "a: 1\n---\nb: [\n", 4, 1, "did not find expected node content"},
		{"non-ASCII before the error", "é: ü: c\n", 1, 5, "mapping values are not allowed"},
		{"CRLF line ends", "a: b\r\nc: d: e\r\n", 2, 5, "mapping values are not allowed"},
		{"lone CR line ends", "a: 1\rb: c: d\n", 2, 5, "mapping values are not allowed"},
		{"byte order mark", "\ufeffa: b: c\n", 1, 5, "mapping values are not allowed"},
		// The reader gives a byte offset only: Locate converts it.
		{"invalid UTF-8 leading byte", "a: b\nc: é\xffz\n", 2, 5, "invalid leading UTF-8 octet"},
		{"invalid UTF-8 trailing byte", "a: b\nc: x\xc3(\n", 2, 5, "invalid trailing UTF-8 octet"},
		{"truncated UTF-8 at the end", "a: b\nc: x\xe2\x82", 2, 5, "incomplete UTF-8 octet sequence"},
		{"overlong UTF-8", "a: \xc0\x80\n", 1, 4, "invalid length of a UTF-8 sequence"},
		{"UTF-8 surrogate", "a: \xed\xa0\x80\n", 1, 4, "invalid Unicode character"},
		{"control character", "a: b\nc: d\x01\n", 2, 5, "control characters are not allowed"},
		{"control character after BOM and CRLF", "\ufeffa: é\r\nc: d\x01\n", 2, 5, "control characters are not allowed"},
		{"control character after a lone CR", "a: 1\rb: \x02\n", 2, 4, "control characters are not allowed"},
		{"control character after NEL", "a: \"1\u0085x\x02\"\n", 2, 2, "control characters are not allowed"},
		{"UTF-16 little endian", "\xff\xfea\x00:\x00 \x00\x01\x00", 1, 4, "control characters are not allowed"},
		{"UTF-16 broken surrogate pair", "\xfe\xff\x00a\xd8\x00\x00b", 1, 2, "expected low surrogate area"},
		{"UTF-16 big endian", "\xfe\xff\x00a\x00:\x00\n\x00 \x00\x01", 2, 2, "control characters are not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeAll([]byte(tt.input))
			if err == nil {
				t.Fatalf("%q parsed, want an error", tt.input)
			}
			got := Locate([]byte(tt.input), err)
			if got.Line != tt.line || got.Col != tt.col || !strings.HasPrefix(got.Msg, tt.msg) {
				t.Errorf("Locate(%q) = %d:%d %q, want %d:%d %q...", tt.input, got.Line, got.Col, got.Msg, tt.line, tt.col, tt.msg)
			}
		})
	}
}

// TestLocateValid: a redefined anchor is valid YAML (an alias names the
// latest node with that anchor), as are duplicate keys at this level: no
// error to locate.
func TestLocateValid(t *testing.T) {
	for _, in := range []string{"a: &x 1\nb: &x 2\nc: *x\n", "a: 1\na: 2\n", "\ufeff\r\na: b\r\n"} {
		if err := decodeAll([]byte(in)); err != nil {
			t.Errorf("%q: %v, want no error", in, err)
		}
	}
}

// TestLocateOtherErrors: an error that is not the YAML library's keeps its
// text and has no position.
func TestLocateOtherErrors(t *testing.T) {
	got := Locate([]byte("a: b\n"), io.ErrUnexpectedEOF)
	if got.Line != 0 || got.Col != 0 || got.Msg != io.ErrUnexpectedEOF.Error() {
		t.Errorf("Locate(io.ErrUnexpectedEOF) = %+v", got)
	}
}

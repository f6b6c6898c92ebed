package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestJSONAppendIsEncodingJSON holds appendJSONFinding to what encoding/json
// writes for the same jsonFinding as an element of "findings": every byte
// value, multi-byte and invalid UTF-8, the JavaScript line terminators, and
// every optional part (related locations, fixes with no, empty and several
// edits).
func TestJSONAppendIsEncodingJSON(t *testing.T) {
	var every strings.Builder
	for c := range 256 {
		every.WriteByte(byte(c))
	}
	texts := []string{
		"",
		"plain",
		every.String(),
		"a && b <none> 'q' \"q\" \\ /",
		"é 中文 🐳 \u2028 \u2029 \u2027 \u202a \ufffd",
		"\xff\xfe invalid, \xe2\x80 truncated, \xed\xa0\x80 surrogate, \xc0\xaf overlong",
		"\x7f\x00\x1f\b\f\n\r\t",
		"end with a partial rune \xe2",
	}
	var cases []jsonFinding
	for i, s := range texts {
		cases = append(cases, jsonFinding{
			Rule: "DV303", Name: "secret-in-image", Severity: "error", File: s,
			Line: i, Column: -i, EndLine: 1 << 40, EndColumn: 7, Message: s,
		})
	}
	cases = append(cases,
		jsonFinding{Rule: "DV1", Message: "related", Related: []jsonRelated{
			{File: "a\x01", Line: 1, Column: 2, Message: "first \u2028"},
			{File: "b", Line: 3, Column: 4, Message: "second"},
		}},
		jsonFinding{Rule: "DV2", Fix: &jsonFix{Description: "nil edits"}},
		jsonFinding{Rule: "DV3", Fix: &jsonFix{Description: "no edits", Edits: []jsonEdit{}}},
		jsonFinding{Rule: "DV4", Related: []jsonRelated{{File: "r"}}, Fix: &jsonFix{Description: "edits \xff", Edits: []jsonEdit{
			{Line: 1, Column: 1, EndLine: 1, EndColumn: 5, NewText: "RUN a \\\n  && b"},
			{Line: 2, NewText: "\t<x>&"},
		}}},
	)
	for _, jf := range cases {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("    ", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(jf); err != nil {
			t.Fatal(err)
		}
		got := appendJSONFinding(nil, &jf)
		if w := strings.TrimSuffix(want.String(), "\n"); string(got) != w {
			t.Errorf("%s %q:\n got %q\nwant %q", jf.Rule, jf.Message, got, w)
		}
	}
}

package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestVolumeMalformedJSON(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "line:col-endLine:endCol message"
		fix  string   // the fix's new text, "" for no fix
	}{
		{"unquoted paths", "FROM alpine:3\nVOLUME [/a, /b]\n",
			[]string{`2:8-2:16 VOLUME [/a, /b] is not a valid JSON array, so Docker declares the literal paths "[/a," and "/b]"; write ["/a", "/b"]`},
			`["/a", "/b"]`},
		{"single quotes", "FROM alpine:3\nVOLUME ['/data']\n",
			[]string{`2:8-2:17 VOLUME ['/data'] is not a valid JSON array, so Docker declares the literal paths "[/data]"; write ["/data"]`},
			`["/data"]`},
		{"missing comma", "FROM alpine:3\nVOLUME [\"/a\" \"/b\"]\n",
			[]string{`2:8-2:19 VOLUME ["/a" "/b"] is not a valid JSON array, so Docker declares the literal paths "[/a" and "/b]"; write ["/a", "/b"]`},
			`["/a", "/b"]`},
		{"trailing comma", "FROM alpine:3\nVOLUME [\"/data\",]\n",
			[]string{`2:8-2:18 VOLUME ["/data",] is not a valid JSON array, so Docker declares the literal paths "[/data,]"; write ["/data"]`},
			`["/data"]`},
		{"builder stage too, lower case", "FROM alpine:3 AS build\nvolume [/cache]\nFROM alpine:3\n",
			[]string{`2:8-2:16 VOLUME [/cache] is not a valid JSON array, so Docker declares the literal paths "[/cache]"; write ["/cache"]`},
			`["/cache"]`},
		{"intent unclear: no fix", "FROM alpine:3\nVOLUME [\"/a\"x]\n",
			[]string{`2:8-2:15 VOLUME ["/a"x] is not a valid JSON array, so Docker declares the literal paths "[/ax]"; write a JSON array of double-quoted paths separated by commas, or drop the brackets`},
			""},
		{"valid JSON", "FROM alpine:3\nVOLUME [\"/a\", \"/b\"]\n", nil, ""},
		{"plain form", "FROM alpine:3\nVOLUME /a /b\n", nil, ""},
		{"bracket later", "FROM alpine:3\nVOLUME /a [b]\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, VolumeMalformedJSON, tt.src, dockerfile.Options{})
			if got := ruletest.Lines(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			fix := ""
			if len(ds) > 0 && ds[0].Fix != nil {
				if len(ds[0].Fix.Edits) != 1 || ds[0].Fix.Edits[0].Range != ds[0].Range {
					t.Errorf("fix edits %+v, want one edit of the arguments", ds[0].Fix.Edits)
				}
				fix = ds[0].Fix.Edits[0].NewText
			}
			if fix != tt.fix {
				t.Errorf("fix %q, want %q", fix, tt.fix)
			}
		})
	}
}

func TestIntendedVolumePaths(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"[/a, /b]", []string{"/a", "/b"}},
		{"[ '/a' , \"/b\" ]", []string{"/a", "/b"}},
		{"[$DATA, /logs]", []string{"$DATA", "/logs"}},
		{"[]", nil},
		{"[/a", nil},
		{"[\"/a]", nil},
		{"[[/a]]", nil},
		{`["C:\\data"]`, nil},
	}
	for _, tt := range tests {
		got, ok := intendedVolumePaths(tt.in)
		if !slices.Equal(got, tt.want) || ok != (tt.want != nil) {
			t.Errorf("intendedVolumePaths(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

package report

import (
	"encoding/xml"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestXMLAttrIsEscapeText: xmlAttr writes what encoding/xml's EscapeText
// writes, for every byte, the rune boundaries of XML's character ranges,
// invalid UTF-8 and random mixes of them.
func TestXMLAttrIsEscapeText(t *testing.T) {
	want := func(s string) string {
		var b strings.Builder
		if err := xml.EscapeText(&b, []byte(s)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	pieces := []string{"", "a", "plain text", "\uFFFD", "\xef\xbf\xbe", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3", "é", "日本"}
	for c := range 256 {
		pieces = append(pieces, string([]byte{byte(c)}))
	}
	for _, r := range []rune{0x1F, 0x20, 0x7F, 0xD7FF, 0xE000, 0xFFFC, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF} {
		pieces = append(pieces, string(r))
	}
	if xmlHeader != xml.Header {
		t.Errorf("xmlHeader = %q, want %q", xmlHeader, xml.Header)
	}
	check := func(s string) {
		if got, w := xmlAttr(s), want(s); got != w {
			t.Errorf("xmlAttr(%q) = %q, want %q", s, got, w)
		}
	}
	for _, p := range pieces {
		check(p)
		check("x" + p + "y")
		check(p + p)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		check(b.String())
	}
}

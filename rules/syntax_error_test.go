package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestSyntaxError(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // positions
		msg  string   // a substring of the first message
	}{
		{"unknown instruction", "FROM alpine:3\nRUNN apk add curl\n", []string{"2:1-2:5"}, "unknown instruction"},
		{"every error, not only the first", "FROM alpine:3\nRUNN a\nCOPYY b c\n", []string{"2:1-2:5", "3:1-3:6"}, "RUNN"},
		{"instruction before FROM", "COPY a /a\nFROM alpine:3\n", []string{"1:1-1:5"}, "before the first FROM"},
		{"binary content", "FROM alpine\x00\n", []string{"1:1-1:13"}, "binary"},
		{"valid file", "FROM alpine:3\nRUN true\n", nil, ""},
		{"comments only", "# nothing\n", []string{"1:1-1:10"}, "no instructions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, SyntaxError, tt.src, dockerfile.Options{})
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
		})
	}
}

package ruletest

import (
	"fmt"
	"testing"

	"github.com/dockvet/dockvet/internal/rule"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestWantMessage(t *testing.T) {
	found := []rule.Diagnostic{{Message: "apt-get install without removing /var/lib/apt/lists"}}
	tests := []struct {
		name string
		ds   []rule.Diagnostic
		want string
		fail bool
	}{
		{"a finding with a matching message", found, "apt-get install", false},
		{"no finding, no message", nil, "", false},
		{"a finding without an expected message is refused", found, "", true},
		{"a finding with another message", found, "apk add", true},
		{"an expected message without a finding", nil, "apt-get install", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			WantMessage(r, tt.ds, tt.want)
			if failed := len(r.errors) > 0; failed != tt.fail {
				t.Errorf("failed %v (%q), want %v", failed, r.errors, tt.fail)
			}
		})
	}
}

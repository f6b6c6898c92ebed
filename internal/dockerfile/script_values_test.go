package dockerfile

import (
	"fmt"
	"slices"
	"testing"
)

// TestScriptAssignsAndHeredocs: the values a RUN holds besides its
// commands' words, with the positions they are written at.
func TestScriptAssignsAndHeredocs(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		assigns  []string // "NAME=value line:col-line:col"
		heredocs []string // "body line:col-line:col"
	}{
		{"bare assignment", "FROM debian\nRUN A=1; B=\"two words\"\n", []string{"A=1 2:7-2:8", "B=two words 2:12-2:23"}, nil},
		{"export and readonly", "FROM debian\nRUN export A=x && readonly B=y\n", []string{"A=x 2:14-2:15", "B=y 2:30-2:31"}, nil},
		{"declare and local", "FROM debian\nRUN declare -x A=x; f() { local B=y; }\n", []string{"A=x 2:18-2:19", "B=y 2:35-2:36"}, nil},
		{"naked export has no value", "FROM debian\nRUN export A\n", nil, nil},
		{"command prefix is Call.Env, not here", "FROM debian\nRUN A=1 make\n", nil, nil},
		{"heredoc to a file", "FROM debian\nRUN cat > /etc/x <<EOF\nline one\nEOF\n", nil, []string{"line one 3:1-3:9"}},
		{"nested sh -c", "FROM debian\nRUN sh -c 'A=1'\n", []string{"A=1 2:14-2:15"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("Dockerfile", []byte(tt.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			s := f.Stages[0].Instructions[0].Script
			var assigns, heredocs []string
			for _, a := range s.Assigns {
				assigns = append(assigns, fmt.Sprintf("%s=%s %v-%v", a.Name, a.Value.Value, a.Value.Range.Start, a.Value.Range.End))
			}
			for _, h := range s.Heredocs {
				heredocs = append(heredocs, fmt.Sprintf("%s %v-%v", h.Value, h.Range.Start, h.Range.End))
			}
			if !slices.Equal(assigns, tt.assigns) || !slices.Equal(heredocs, tt.heredocs) {
				t.Errorf("assigns %q heredocs %q, want %q %q", assigns, heredocs, tt.assigns, tt.heredocs)
			}
		})
	}
}

package rules

import (
	"fmt"
	"slices"
	"testing"
)

// TestAdditionIndexCandidates: what one rm is compared with depends on what
// it can match, not on how many additions came before (DV404 was quadratic:
// a file of thousands of COPY and rm lines took minutes).
func TestAdditionIndexCandidates(t *testing.T) {
	var x additionIndex
	const n = 10_000
	for i := range n {
		x.add(addition{path: fmt.Sprintf("/app/src%d/main.go", i)})
	}
	x.add(addition{path: "/var/lib/apt/lists/partial"})
	x.add(addition{path: "/tmp/app.tar.gz"})

	tests := []struct {
		target string
		want   []int // nil: compare the count only
		count  int
	}{
		{"/var/lib/apt/lists/*", []int{n}, 1},
		{"/var/lib/apt", []int{n}, 1},
		{"/tmp/app.tar.gz", []int{n + 1}, 1},
		{"/tmp/*.tar.gz", []int{n + 1}, 1},
		{"/app/src7", []int{7}, 1},
		{"/app/src7/main.go", []int{7}, 1},
		{"/app/src7/other.go", nil, 0},
		{"/opt", nil, 0},
		{"/app/src*", nil, n},      // a glob below /app: every /app addition is a candidate
		{"/app", nil, n},           // the directory itself
		{"/*", nil, n + 2},         // everything below the root
		{"relative/x", nil, n + 2}, // a relative target is compared with everything
	}
	for _, tt := range tests {
		got := x.candidates(tt.target)
		if len(got) != tt.count {
			t.Errorf("candidates(%q): %d, want %d", tt.target, len(got), tt.count)
			continue
		}
		if tt.want != nil && !slices.Equal(got, tt.want) {
			t.Errorf("candidates(%q) = %v, want %v", tt.target, got, tt.want)
		}
		if !slices.IsSorted(got) {
			t.Errorf("candidates(%q) out of order: the first adder is named in the message", tt.target)
		}
	}
}

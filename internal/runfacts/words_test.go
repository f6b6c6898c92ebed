package runfacts

import (
	"fmt"
	"sync"
	"testing"
)

// TestWords: a set holds exactly its words, whether it is searched as a
// list or through its map, also when goroutines read a fresh set at once
// (the engine lints files in parallel; run with -race).
func TestWords(t *testing.T) {
	for _, n := range []int{0, 1, linearWords, linearWords + 1, 40} {
		list := make([]string, n)
		for i := range list {
			list[i] = fmt.Sprintf("w%d", i)
		}
		s := &Words{List: list}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for i := range n + 2 {
					w := fmt.Sprintf("w%d", i)
					if got, want := s.Has(w), i < n; got != want {
						t.Errorf("%d words: Has(%q) = %v, want %v", n, w, got, want)
					}
				}
				if s.Has("") {
					t.Errorf("%d words: Has(\"\")", n)
				}
			})
		}
		wg.Wait()
	}
	var none *Words
	if none.Has("apt-get") {
		t.Error("a nil set has a word")
	}
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/dockvet/dockvet/internal/rule"
)

// TestStreamOrderAndBound lints many files whose reads finish out of order
// and checks that results come in job order, each with its own findings, and
// that no more than the workers plus streamWindow files are ever read and
// not yet emitted: memory does not grow with the number of files.
func TestStreamOrderAndBound(t *testing.T) {
	everyFrom, _, _ := testRules()
	e, err := New([]*rule.Rule{everyFrom}, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	var (
		mu              sync.Mutex
		read, maxHeld   int
		emitted         int
		readErr         = errors.New("unreadable")
		unreadableIndex = 7
	)
	jobs := make([]Job, n)
	for i := range jobs {
		jobs[i] = Job{Engine: e, Input: Input{Name: fmt.Sprintf("f%03d", i)}, Read: func() ([]byte, error) {
			mu.Lock()
			read++
			maxHeld = max(maxHeld, read-emitted)
			mu.Unlock()
			switch {
			case i == 0:
				// The first file is slow: it waits (a bounded number of
				// yields) for the other workers to read past the bound,
				// which they can only do if there is none.
				limit := min(runtime.GOMAXPROCS(0), n) + streamWindow
				for range 200000 {
					mu.Lock()
					past := read > limit
					mu.Unlock()
					if past {
						break
					}
					runtime.Gosched()
				}
			case i%5 == 0:
				runtime.Gosched() // let later files overtake this one
			}
			if i == unreadableIndex {
				return nil, readErr
			}
			return fmt.Appendf(nil, "FROM image%d\n", i), nil
		}}
	}
	var order []int
	err = Stream(context.Background(), jobs, func(i int, r FileResult) error {
		mu.Lock()
		emitted++
		mu.Unlock()
		order = append(order, i)
		switch {
		case i == unreadableIndex:
			if !errors.Is(r.ReadErr, readErr) {
				t.Errorf("job %d: ReadErr %v, want %v", i, r.ReadErr, readErr)
			}
		case len(r.Findings) != 1 || r.Findings[0].Message != fmt.Sprintf("from image%d", i) || r.Findings[0].File != jobs[i].Input.Name:
			t.Errorf("job %d: findings %v", i, r.Findings)
		case len(r.Lines) != 1:
			t.Errorf("job %d: lines %q, want the file's one line", i, r.Lines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, got := range order {
		if got != i {
			t.Fatalf("emitted out of order: %v", order)
		}
	}
	if len(order) != n {
		t.Fatalf("emitted %d results, want %d", len(order), n)
	}
	// Stream frees a result's slot when it hands the result to emit, so
	// one more file may be read before this emit counts it: the bound is
	// the window plus the result being emitted.
	if limit := min(runtime.GOMAXPROCS(0), n) + streamWindow + 1; maxHeld > limit {
		t.Errorf("%d files read and not yet emitted at once, want at most %d", maxHeld, limit)
	}
}

// TestStreamStopsOnEmitError checks that an error from emit is returned and
// that the files not yet started are never read.
func TestStreamStopsOnEmitError(t *testing.T) {
	everyFrom, _, _ := testRules()
	e, err := New([]*rule.Rule{everyFrom}, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	var mu sync.Mutex
	read := 0
	jobs := make([]Job, n)
	for i := range jobs {
		jobs[i] = Job{Engine: e, Input: Input{Name: fmt.Sprint(i)}, Read: func() ([]byte, error) {
			mu.Lock()
			read++
			mu.Unlock()
			return []byte("FROM x\n"), nil
		}}
	}
	broken := errors.New("broken pipe")
	err = Stream(context.Background(), jobs, func(i int, _ FileResult) error {
		if i == 2 {
			return broken
		}
		return nil
	})
	if !errors.Is(err, broken) {
		t.Fatalf("Stream returned %v, want %v", err, broken)
	}
	if limit := 3 + min(runtime.GOMAXPROCS(0), n) + streamWindow; read > limit {
		t.Errorf("%d files read after emit failed at the third, want at most %d", read, limit)
	}
}

// TestStreamSkipLines: a job that skips lines gets none, with the same
// findings; one that does not gets the file's lines.
func TestStreamSkipLines(t *testing.T) {
	everyFrom, _, _ := testRules()
	e, err := New([]*rule.Rule{everyFrom}, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	jobs := []Job{
		{Engine: e, Input: Input{Name: "kept", Src: []byte("FROM a\nFROM b\n")}},
		{Engine: e, Input: Input{Name: "skipped", Src: []byte("FROM a\nFROM b\n")}, SkipLines: true},
	}
	err = Stream(context.Background(), jobs, func(i int, r FileResult) error {
		if len(r.Findings) != 2 {
			t.Errorf("%s: %d findings, want 2", jobs[i].Input.Name, len(r.Findings))
		}
		if want := !jobs[i].SkipLines; (r.Lines != nil) != want {
			t.Errorf("%s: lines %q, want them: %v", jobs[i].Input.Name, r.Lines, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

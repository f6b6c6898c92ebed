package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
	"github.com/dockvet/dockvet/rules"
)

// hangingRegistry is a test registry that answers nothing: every request
// waits until the client gives up. It records how many requests were in
// flight at once, and how many arrived in total.
type hangingRegistry struct {
	*registrytest.Server
	mu       sync.Mutex
	inFlight int
	maxSeen  int
	arrived  int
}

func newHangingRegistry(t *testing.T) *hangingRegistry {
	h := &hangingRegistry{}
	h.Server = registrytest.New(t, registrytest.WithFault(func(_ http.ResponseWriter, r *http.Request) bool {
		h.mu.Lock()
		h.arrived++
		h.inFlight++
		h.maxSeen = max(h.maxSeen, h.inFlight)
		h.mu.Unlock()
		<-r.Context().Done()
		h.mu.Lock()
		h.inFlight--
		h.mu.Unlock()
		return true
	}))
	return h
}

func (h *hangingRegistry) counts() (arrived, maxSeen int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.arrived, h.maxSeen
}

// distinctBases returns n Dockerfiles, each on its own base image of srv.
func distinctBases(srv *registrytest.Server, n int) []engine.Input {
	inputs := make([]engine.Input, n)
	for i := range inputs {
		inputs[i] = engine.Input{Name: fmt.Sprintf("f%03d", i), Src: fmt.Appendf(nil, "FROM %s\nCMD [\"x\"]\n", srv.Ref(fmt.Sprintf("team/app%d:1", i)))}
	}
	return inputs
}

// settledGoroutines waits (bounded by a count of polls) for the number of
// goroutines to come back to at most want, and returns the last count.
// Idle keep-alive connections of the shared transport are pooled, not
// leaked: they are closed first.
func settledGoroutines(want int) int {
	closeIdle := func() {
		registry.CloseIdleConnections()
	}
	closeIdle()
	n := runtime.NumGoroutine()
	for i := 0; i < 200 && n > want; i++ {
		time.Sleep(25 * time.Millisecond)
		closeIdle()
		n = runtime.NumGoroutine()
	}
	return n
}

// TestLintOneDeadlineForManyHangingBases: --registry-timeout is one deadline
// for the whole run, not one per base; concurrency at a registry host stays
// within the resolver's limit across all the engine's lookups; nothing is
// sent after the deadline and no goroutine outlives the run.
func TestLintOneDeadlineForManyHangingBases(t *testing.T) {
	const deadline = time.Second
	// One hanging base first, on its own registry: the time a run with a
	// single deadline takes on this machine, now. 200 bases must take about
	// as long; with a deadline per base and 8 lookups at a time they took
	// 25 times as long. A ratio, not a wall-clock budget, so that load on a
	// shared CI machine slows both runs alike.
	single := newHangingRegistry(t)
	res := registry.New(registry.WithTimeout(deadline))
	e, err := engine.New(rules.All(), engine.Settings{Bases: res})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	e.LintContext(context.Background(), distinctBases(single.Server, 1), dockerfile.Options{})
	one := time.Since(start)

	srv := newHangingRegistry(t)
	inputs := distinctBases(srv.Server, 200)
	before := runtime.NumGoroutine()
	res = registry.New(registry.WithTimeout(deadline))
	if e, err = engine.New(rules.All(), engine.Settings{Bases: res}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	out := e.LintContext(context.Background(), inputs, dockerfile.Options{})
	elapsed := time.Since(start)

	t.Logf("1 hanging base: %s; 200: %s (deadline %s)", one, elapsed, deadline)
	if ratio := float64(elapsed) / float64(one); ratio > 3 {
		t.Errorf("200 hanging bases took %.1fx the time of one (%s vs %s): the deadline is not one for the run", ratio, elapsed, one)
	}
	timeouts := 0
	for _, f := range out.Findings {
		if f.RuleID == "DV001" && strings.Contains(f.Message, "timeout") {
			timeouts++
		}
	}
	if timeouts != len(inputs) {
		t.Errorf("DV001 timeouts = %d, want %d", timeouts, len(inputs))
	}
	arrived, maxSeen := srv.counts()
	if maxSeen > 8 {
		t.Errorf("%d requests in flight at once at one registry, want at most 8", maxSeen)
	}
	if arrived == 0 {
		t.Fatal("no request reached the registry")
	}
	if n := settledGoroutines(before); n > before {
		t.Errorf("%d goroutines left after the run, %d before", n, before)
	}
	if later, _ := srv.counts(); later != arrived {
		t.Errorf("%d requests arrived after the run ended", later-arrived)
	}
}

// TestLintCancelEndsLookups: cancelling the run's context (Ctrl-C) ends
// every lookup at once, as a timeout that says "cancelled".
func TestLintCancelEndsLookups(t *testing.T) {
	srv := newHangingRegistry(t)
	inputs := distinctBases(srv.Server, 20)
	before := runtime.NumGoroutine()
	res := registry.New(registry.WithTimeout(time.Hour))
	e, err := engine.New(rules.All(), engine.Settings{Bases: res})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once lookups are hanging at the registry.
		for i := 0; i < 1000; i++ {
			if n, _ := srv.counts(); n > 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	out := e.LintContext(ctx, inputs, dockerfile.Options{})
	cancelled := 0
	for _, f := range out.Findings {
		if f.RuleID == "DV001" && strings.Contains(f.Message, "cancelled") {
			cancelled++
		}
	}
	if cancelled != len(inputs) {
		t.Errorf("DV001 cancelled = %d, want %d", cancelled, len(inputs))
	}
	if n := settledGoroutines(before); n > before {
		t.Errorf("%d goroutines left after the run, %d before", n, before)
	}
}

// TestLookupsOnlyForRulesThatNeedThem: with every rule that reads base
// images switched off, no base is looked up.
func TestLookupsOnlyForRulesThatNeedThem(t *testing.T) {
	var off []engine.RuleRef
	for _, r := range rules.All() {
		if r.NeedsBase || r.NeedsStageBases {
			off = append(off, engine.RuleRef{Name: r.ID})
		}
	}
	if len(off) == 0 {
		t.Fatal("no rule declares NeedsBase")
	}
	tests := []struct {
		name   string
		ignore []engine.RuleRef
		want   bool
	}{
		{"default rules", nil, true},
		{"base rules off", off, false},
		{"all but one base rule off", off[1:], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &recordingResolver{}
			e, err := engine.New(rules.All(), engine.Settings{Bases: res, Layers: []engine.Layer{{Ignore: tt.ignore}}})
			if err != nil {
				t.Fatal(err)
			}
			e.Lint([]engine.Input{{Name: "D", Src: []byte("FROM alpine:3\nCMD [\"x\"]\n")}}, dockerfile.Options{})
			if got := res.calls() > 0; got != tt.want {
				t.Errorf("looked up = %v, want %v", got, tt.want)
			}
		})
	}
}

type recordingResolver struct {
	mu sync.Mutex
	n  int
}

func (r *recordingResolver) Resolve(_ context.Context, reqs []registry.Request) []registry.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n += len(reqs)
	out := make([]registry.Result, len(reqs))
	for i, q := range reqs {
		out[i] = registry.Result{Err: &registry.Error{Ref: q.Ref, Reason: registry.ReasonNotFound}}
	}
	return out
}

func (r *recordingResolver) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// An unknown base makes DV302 info, however the rule is configured.
func TestUnknownBaseRootUserIsInfo(t *testing.T) {
	for _, level := range []finding.Severity{finding.SeverityWarning, finding.SeverityError} {
		e, err := engine.New(rules.All(), engine.Settings{Bases: &recordingResolver{},
			Layers: []engine.Layer{{Severity: []engine.Override{{Rule: engine.RuleRef{Name: "DV302"}, Level: level}}}}})
		if err != nil {
			t.Fatal(err)
		}
		out := e.Lint([]engine.Input{{Name: "D", Src: []byte("FROM nothere:1\nCMD [\"x\"]\n")}}, dockerfile.Options{})
		found := false
		for _, f := range out.Findings {
			if f.RuleID == "DV302" {
				found = true
				if f.Severity != finding.SeverityInfo {
					t.Errorf("DV302 at %v with an unknown base: %v, want info", level, f.Severity)
				}
			}
		}
		if !found {
			t.Errorf("no DV302 at %v", level)
		}
	}
}

package registry

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stubbornTransport ignores cancellation for a while, as a credential
// helper does until its WaitDelay: once the request's context ends, it
// still holds the request for hold before it returns.
type stubbornTransport struct {
	hold     time.Duration
	entered  chan struct{}
	once     sync.Once
	returned atomic.Bool
}

func (s *stubbornTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s.once.Do(func() { close(s.entered) })
	<-req.Context().Done()
	time.Sleep(s.hold) // not a budget: the lookup outlasting Resolve's grace period is the point
	s.returned.Store(true)
	return nil, req.Context().Err()
}

// TestResolveWaitsForCancelledLookups: a lookup still running when the
// call is cancelled is cancelled and waited for, so that it cannot write
// the cache, memo or counters after Resolve has returned. The lookup holds
// on well past the grace period during which Resolve used to wait.
func TestResolveWaitsForCancelledLookups(t *testing.T) {
	tr := &stubbornTransport{hold: 100 * time.Millisecond, entered: make(chan struct{})}
	r := New(WithTransport(tr), WithTimeout(time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-tr.entered
		cancel()
	}()
	res := r.Resolve(ctx, []Request{{Ref: "registry.test/team/app:1"}})
	if !tr.returned.Load() {
		t.Errorf("Resolve returned while its lookup was still running")
	}
	assertReason(t, res[0].Err, ReasonTimeout)
}

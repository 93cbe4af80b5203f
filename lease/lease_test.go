package lease_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"duban/clock"
	"duban/internal/poll"
	"duban/lease"
	"duban/store"
	"duban/store/storetest"
)

// replica runs an elector in the background and reports when it leads.
type replica struct {
	e       *lease.Elector
	cancel  context.CancelFunc
	done    chan struct{}
	leading chan context.Context
}

func start(s *store.Store, holder string, ttl time.Duration, onChange func(bool)) *replica {
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{e: &lease.Elector{Store: s, Name: "scheduler", Holder: holder, TTL: ttl, OnChange: onChange},
		cancel: cancel, done: make(chan struct{}), leading: make(chan context.Context, 4)}
	go func() {
		defer close(r.done)
		r.e.Run(ctx, func(ctx context.Context) {
			r.leading <- ctx
			<-ctx.Done()
		})
	}()
	return r
}

func (r *replica) stop() { r.cancel(); <-r.done }

func waitLead(t *testing.T, r *replica, within time.Duration) context.Context {
	t.Helper()
	select {
	case ctx := <-r.leading:
		return ctx
	case <-time.After(within):
		t.Fatalf("%s did not lead within %s", r.e.Holder, within)
		return nil
	}
}

// The leases are measured on the store's fixed clock, which moves only
// when a test moves it: a lease expires when the test says, never because a
// busy machine was slow to renew it, so no verdict depends on speed. Waits
// for what must happen are bounded by poll.Bound only against a hang.

func TestOneReplicaLeadsAndAnotherTakesOver(t *testing.T) {
	storetest.Each(t, time.Now(), func(t *testing.T, s *store.Store, _ *clock.Fixed) {
		const ttl = 3 * time.Second
		a := start(s, "a", ttl, nil)
		waitLead(t, a, poll.Bound)
		b := start(s, "b", ttl, nil)
		defer b.stop()
		select {
		case <-b.leading:
			t.Fatal("b leads while a holds the lease")
		case <-time.After(ttl / 2): // b tries at least once meanwhile
		}
		if !a.e.Held() || b.e.Held() {
			t.Fatalf("held: a %v, b %v", a.e.Held(), b.e.Held())
		}
		// a shuts down: it releases the lease and b takes it before it would
		// have expired (on this clock it never would).
		stopped := time.Now()
		a.stop()
		ctxB := waitLead(t, b, poll.Bound)
		t.Logf("b took over a released lease after %s", time.Since(stopped).Round(time.Millisecond))
		// Another replica forces the lease away: b's leader context ends with ErrLost.
		if ok, err := s.AcquireLease(context.Background(), "scheduler", "intruder", time.Hour, true); !ok || err != nil {
			t.Fatal(ok, err)
		}
		select {
		case <-ctxB.Done():
			if !errors.Is(context.Cause(ctxB), lease.ErrLost) {
				t.Errorf("cause %v", context.Cause(ctxB))
			}
		case <-time.After(poll.Bound):
			t.Fatal("b kept leading after losing its lease")
		}
	})
}

func TestAKilledHoldersLeaseIsTakenOnceExpired(t *testing.T) {
	storetest.Each(t, time.Now(), func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		const ttl = 600 * time.Millisecond
		// "dead" took the lease and was killed: it never renews nor releases.
		if ok, _ := s.AcquireLease(context.Background(), "scheduler", "dead", ttl, false); !ok {
			t.Fatal("could not take the lease")
		}
		var mu sync.Mutex
		var changes []bool
		b := start(s, "b", ttl, func(held bool) { mu.Lock(); changes = append(changes, held); mu.Unlock() })
		select {
		case <-b.leading:
			t.Fatal("b took an unexpired lease")
		case <-time.After(3 * ttl): // b tries several times meanwhile
		}
		clk.Advance(ttl + time.Millisecond) // dead's lease expires
		waitLead(t, b, poll.Bound)
		b.stop()
		if l, _ := s.Lease(context.Background(), "scheduler"); l.Holder != "b" || l.ExpiresAt.After(clk.Now()) {
			t.Errorf("after b stopped: %+v", l)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(changes) != 2 || !changes[0] || changes[1] {
			t.Errorf("OnChange saw %v", changes)
		}
	})
}

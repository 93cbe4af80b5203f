package store_test

import (
	"context"
	"testing"
	"time"

	"duban/clock"
	"duban/store"
	"duban/store/storetest"
)

func TestLeaseHasOneHolderUntilItExpires(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		take := func(holder string, force bool) bool {
			t.Helper()
			ok, err := s.AcquireLease(ctx, "scheduler", holder, 10*time.Second, force)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !take("a", false) {
			t.Fatal("a could not take a lease nobody held")
		}
		if take("b", false) {
			t.Fatal("b took a lease a holds")
		}
		clk.Advance(8 * time.Second)
		if !take("a", false) { // renewal: a holds it until t0+18s now
			t.Fatal("a could not renew its lease")
		}
		clk.Advance(9 * time.Second)
		if take("b", false) {
			t.Fatal("b took a renewed lease before it expired")
		}
		clk.Advance(2 * time.Second) // a stopped renewing: expired at t0+18s
		if !take("b", false) {
			t.Fatal("b could not take an expired lease")
		}
		if take("a", false) {
			t.Fatal("a took back a lease b holds")
		}
		l, err := s.Lease(ctx, "scheduler")
		if err != nil || l == nil || l.Holder != "b" || l.Epoch != 2 || !l.ExpiresAt.Equal(clk.Now().Add(10*time.Second)) {
			t.Fatalf("lease %+v, %v", l, err)
		}
		if err := s.ReleaseLease(ctx, "scheduler", "a"); err != nil { // not a's to release
			t.Fatal(err)
		}
		if take("a", false) {
			t.Fatal("a's release let go of b's lease")
		}
		if err := s.ReleaseLease(ctx, "scheduler", "b"); err != nil {
			t.Fatal(err)
		}
		if !take("a", false) {
			t.Fatal("a could not take a released lease at once")
		}
		if !take("c", true) {
			t.Fatal("c could not force the lease")
		}
		if l, _ := s.Lease(ctx, "other"); l != nil {
			t.Errorf("a lease nobody took: %+v", l)
		}
	})
}

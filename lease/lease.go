// Package lease elects, among the replicas of `duban serve` that share a
// database, the one that runs the scheduled ticks. The elected replica holds
// a row of the leases table and renews it every third of its time to live;
// a replica that dies stops renewing, its lease expires, and another takes
// it over. The episodes' dedup keys stay the last line of defence against a
// holder that was paused past its expiry and wakes up still ticking.
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"duban/store"
)

// ErrLost is the cause of a leader's context ending because the lease was
// lost (taken by another replica, or not renewed in time).
var ErrLost = errors.New("lease lost")

// Identity names this process among the replicas: host, pid and a random
// suffix, so a restarted process is never mistaken for its predecessor.
func Identity() string {
	host, _ := os.Hostname()
	b := make([]byte, 3)
	rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Elector campaigns for one lease.
type Elector struct {
	Store  *store.Store
	Name   string        // the lease, e.g. "scheduler"
	Holder string        // this replica, from Identity
	TTL    time.Duration // how long a renewal holds the lease
	// Force takes the lease even from a holder whose lease has not expired.
	// Only for a process that knows it is alone on the database: SQLite,
	// under its file lock, after a crash of the previous process.
	Force bool
	Log   *slog.Logger
	// OnChange is told when this replica gains or loses the lease.
	OnChange func(held bool)

	held atomic.Bool
}

// Held reports whether this replica holds the lease now.
func (e *Elector) Held() bool { return e.held.Load() }

func (e *Elector) set(held bool) {
	if e.held.Swap(held) != held && e.OnChange != nil {
		e.OnChange(held)
	}
}

func (e *Elector) interval() time.Duration { return e.TTL / 3 }

// Run campaigns for the lease until ctx ends. Whenever this replica holds
// it, lead runs with a context that ends when the lease is lost (its cause
// is then ErrLost) or when ctx ends. The lease is renewed until lead returns
// — so a leader shutting down can finish its tick — and then released, so
// that another replica takes over at once instead of waiting for expiry.
func (e *Elector) Run(ctx context.Context, lead func(ctx context.Context)) {
	log := e.log()
	for {
		start := e.Store.Clock.Now()
		ok, err := e.acquire(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("lease: cannot reach the database", "lease", e.Name, "err", err)
		}
		if ok && ctx.Err() == nil {
			log.Info("lease: acquired", "lease", e.Name, "holder", e.Holder)
			e.lead(ctx, start.Add(e.TTL), lead)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(e.interval()):
		}
	}
}

func (e *Elector) log() *slog.Logger {
	if e.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Log
}

func (e *Elector) acquire(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, e.interval())
	defer cancel()
	return e.Store.AcquireLease(ctx, e.Name, e.Holder, e.TTL, e.Force)
}

// lead runs lead while renewing the lease, which holds until expires.
func (e *Elector) lead(ctx context.Context, expires time.Time, lead func(context.Context)) {
	log := e.log()
	e.set(true)
	defer e.set(false)
	leadCtx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		lead(leadCtx)
	}()
	renew := time.NewTicker(e.interval())
	defer renew.Stop()
	stopping := ctx.Done()
	for {
		select {
		case <-done:
			if leadCtx.Err() == nil || !errors.Is(context.Cause(leadCtx), ErrLost) {
				rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				if err := e.Store.ReleaseLease(rctx, e.Name, e.Holder); err != nil {
					log.Warn("lease: release failed; it will expire", "lease", e.Name, "err", err)
				} else {
					log.Info("lease: released", "lease", e.Name)
				}
				rcancel()
			}
			return
		case <-stopping:
			stopping = nil // keep renewing while the leader finishes
			cancel(context.Cause(ctx))
		case <-renew.C:
			if errors.Is(context.Cause(leadCtx), ErrLost) {
				continue // waiting for the leader to stop
			}
			start := e.Store.Clock.Now()
			ok, err := e.acquire(context.WithoutCancel(ctx))
			switch {
			case ok:
				expires = start.Add(e.TTL)
			case err == nil:
				log.Warn("lease: taken over by another replica", "lease", e.Name)
				cancel(ErrLost)
			case !e.Store.Clock.Now().Add(e.interval()).Before(expires):
				// The next renewal would come after the lease expired:
				// another replica may take it any moment now.
				log.Warn("lease: could not renew in time; stepping down", "lease", e.Name, "err", err)
				cancel(ErrLost)
			default:
				log.Warn("lease: renewal failed; will retry", "lease", e.Name, "err", err)
			}
		}
	}
}

// Package scheduler runs the rules on their schedules. Each rule's schedule
// is a cron spec in its rule file's zone (robfig/cron/v3) or "@every D";
// rules due at the same instant run in one tick, so they share the read of
// their subjects. The tick reasons about the scheduled instant, not the wall
// clock when it happened to start, so a notice repeated every 24h by a daily
// 08:00 rule is re-sent at exactly the next 08:00 tick.
//
// A scheduler runs only on the replica that holds the scheduler lease (see
// package lease): Lead is the elector's lead function. When it starts
// leading it first catches up — one tick for each rule whose latest
// scheduled instant has no clean tick recorded, so a service that was down,
// or a replica killed mid-tick, loses nothing.
package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"slices"
	"sort"
	"sync"
	"time"

	"duban/engine"
	"duban/lease"
	"duban/rules"
)

// Scheduler runs ticks on the rules' schedules.
type Scheduler struct {
	Engine *engine.Engine
	Rules  rules.Source
	// Changed is signalled when Rules has a new set (the reloader's Changes).
	Changed <-chan struct{}
	Log     *slog.Logger
	Metrics *Metrics
	// Grace is how long a running tick may go on once shutdown begins before
	// it is cancelled (its open transaction then rolls back). A lost lease
	// cancels it at once.
	Grace time.Duration

	mu     sync.Mutex
	status Status
	// run replaces Engine.Tick in tests.
	run func(ctx context.Context, rs *rules.RuleSet, at time.Time, ids []string) (*engine.Report, error)
}

// Status is what the scheduler is doing, for /healthz.
type Status struct {
	Leading bool `json:"leading"`
	// Running is the tick in progress, if any.
	Running *RunningTick `json:"running,omitempty"`
	// Next is each rule's next scheduled instant (while leading).
	Next map[string]time.Time `json:"next,omitempty"`
}

// RunningTick is a tick in progress.
type RunningTick struct {
	At      time.Time `json:"at"` // the instant it reasons about
	Rules   []string  `json:"rules"`
	Started time.Time `json:"started"`
}

// Status returns a copy of the scheduler's state.
func (s *Scheduler) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.status
	st.Next = make(map[string]time.Time, len(s.status.Next))
	for k, v := range s.status.Next {
		st.Next[k] = v
	}
	return st
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Scheduler) now() time.Time { return s.Engine.Store.Clock.Now() }

// entry is a rule's place in the plan.
type entry struct {
	rule *rules.Rule
	next time.Time
}

// Lead runs ticks until ctx ends. When ctx ends because the lease was lost
// (cause lease.ErrLost), a running tick is cancelled at once; on shutdown it
// gets Grace to finish.
func (s *Scheduler) Lead(ctx context.Context) {
	log := s.log()
	s.mu.Lock()
	s.status.Leading = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.status = Status{}
		s.mu.Unlock()
	}()
	rs := s.Rules.Current()
	log.Info("scheduler: leading", "rules", len(rs.Rules))
	var retry retrier
	retry.caughtUp(s.catchUp(ctx, rs))
	plan := s.replan(rs, nil)
	for ctx.Err() == nil {
		at, due := earliest(plan)
		var wake <-chan time.Time
		timer := time.NewTimer(max(0, at.Sub(s.now())))
		if !at.IsZero() {
			wake = timer.C
		}
		retryTimer, retryC := retry.timer()
		select {
		case <-ctx.Done():
			timer.Stop()
			retryTimer.Stop()
			return
		case <-s.Changed:
			timer.Stop()
			retryTimer.Stop()
			next := s.Rules.Current()
			if next == rs {
				continue
			}
			rs = next
			log.Info("scheduler: new rule set", "rules", len(rs.Rules))
			plan = s.replan(rs, plan)
			// A rule added (or a tick passed over while replanning) since
			// its last scheduled instant is caught up now.
			retry.caughtUp(s.catchUp(ctx, rs))
		case <-retryC:
			timer.Stop()
			log.Info("scheduler: retrying the ticks that did not finish cleanly", "attempt", retry.attempt)
			retry.caughtUp(s.catchUp(ctx, rs))
		case <-wake:
			retryTimer.Stop()
			ids := make([]string, len(due))
			for i, e := range due {
				ids[i] = e.rule.ID
			}
			retry.ticked(s.tick(ctx, rs, at, ids))
			now := s.now()
			for _, e := range due {
				n := next(e.rule, at)
				if !n.After(now) {
					missed := 0
					for ; !n.After(now) && missed < 1000; n = next(e.rule, n) {
						missed++
					}
					log.Warn("scheduler: the tick overran the rule's next instants; skipped them", "rule", e.rule.ID, "skipped", missed)
					s.Metrics.missedTicks(e.rule.ID, missed)
				}
				e.next = n
			}
			s.publishNext(plan)
		}
	}
}

// replan schedules the rules of rs, keeping the next instant of each rule
// whose schedule did not change.
func (s *Scheduler) replan(rs *rules.RuleSet, old []*entry) []*entry {
	now := s.now()
	kept := map[string]*entry{}
	for _, e := range old {
		kept[e.rule.ID] = e
	}
	plan := make([]*entry, 0, len(rs.Rules))
	for _, r := range rs.Rules {
		if e, ok := kept[r.ID]; ok && e.rule.Schedule == r.Schedule {
			plan = append(plan, &entry{rule: r, next: e.next})
		} else {
			plan = append(plan, &entry{rule: r, next: next(r, now)})
		}
		delete(kept, r.ID)
	}
	for id := range kept {
		s.Metrics.forget(id)
	}
	s.publishNext(plan)
	return plan
}

func (s *Scheduler) publishNext(plan []*entry) {
	m := make(map[string]time.Time, len(plan))
	for _, e := range plan {
		m[e.rule.ID] = e.next
	}
	s.mu.Lock()
	s.status.Next = m
	s.mu.Unlock()
}

// earliest returns the first instant in the plan and the rules due at it.
func earliest(plan []*entry) (time.Time, []*entry) {
	var at time.Time
	var due []*entry
	for _, e := range plan {
		switch {
		case e.next.IsZero():
		case at.IsZero() || e.next.Before(at):
			at, due = e.next, []*entry{e}
		case e.next.Equal(at):
			due = append(due, e)
		}
	}
	return at, due
}

// catchUp ticks every rule whose latest scheduled instant has no clean tick
// recorded, at that instant; rules sharing an instant tick together. It
// reports whether every tick it ran finished cleanly.
func (s *Scheduler) catchUp(ctx context.Context, rs *rules.RuleSet) bool {
	last, err := s.Engine.Store.LastCleanTicks(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log().Error("scheduler: cannot read the last ticks; catching up later", "err", err)
		}
		return false
	}
	now := s.now()
	groups := map[time.Time][]string{}
	for _, r := range rs.Rules {
		p := prev(r, now)
		if p.IsZero() {
			continue
		}
		if t, ok := last[r.ID]; ok && !t.Before(p) {
			continue
		}
		groups[p] = append(groups[p], r.ID)
	}
	instants := make([]time.Time, 0, len(groups))
	for t := range groups {
		instants = append(instants, t)
	}
	sort.Slice(instants, func(i, j int) bool { return instants[i].Before(instants[j]) })
	clean := true
	for _, t := range instants {
		if ctx.Err() != nil {
			return clean
		}
		s.log().Info("scheduler: catching up", "at", t, "rules", groups[t])
		clean = s.tick(ctx, rs, t, groups[t]) && clean
	}
	return clean
}

// retrier spaces out catch-ups after ticks that did not finish cleanly —
// the database went away in the middle, a page could not be written — so
// that what they missed is written once the database is back rather than
// at the rule's next instant, which may be a day later. Outages longer than
// the lease's time to live make this replica step down, and leading again
// starts with a catch-up anyway; so retries stop after about ten minutes,
// which also bounds the work spent on a rule that fails on its data every
// time.
type retrier struct {
	attempt int       // retries since the last clean tick
	at      time.Time // next retry; zero: none planned
}

// retryBackoff is the wait before each retry; after the last, none.
var retryBackoff = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
	15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 2 * time.Minute, 2 * time.Minute, 2 * time.Minute}

// ticked records whether a scheduled tick finished cleanly. A clean one
// covers only its own rules: a retry planned for others stays planned.
func (r *retrier) ticked(clean bool) {
	switch {
	case !clean:
		r.arm()
	case r.at.IsZero():
		r.attempt = 0 // nothing pending: a later failure gets every retry again
	}
}

// caughtUp records whether a catch-up — which covers every rule — finished
// cleanly.
func (r *retrier) caughtUp(clean bool) {
	r.at = time.Time{}
	if clean {
		r.attempt = 0
		return
	}
	r.arm()
}

func (r *retrier) arm() {
	if !r.at.IsZero() || r.attempt >= len(retryBackoff) {
		return
	}
	r.at = time.Now().Add(retryBackoff[r.attempt])
	r.attempt++
}

// timer fires at the planned retry (never when none is planned).
func (r *retrier) timer() (*time.Timer, <-chan time.Time) {
	if r.at.IsZero() {
		t := time.NewTimer(time.Hour)
		t.Stop()
		return t, nil
	}
	t := time.NewTimer(max(0, time.Until(r.at)))
	return t, t.C
}

// tick runs one tick of the given rules at instant at, recovering a panic.
// It reports whether the tick finished cleanly: no error, no rule errors.
func (s *Scheduler) tick(ctx context.Context, rs *rules.RuleSet, at time.Time, ids []string) bool {
	log := s.log()
	tickCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-finished:
			return
		case <-ctx.Done():
		}
		if !errors.Is(context.Cause(ctx), lease.ErrLost) {
			select {
			case <-finished:
				return
			case <-time.After(s.Grace):
			}
		}
		cancel()
	}()

	started, timer := s.now(), time.Now()
	sorted := slices.Clone(ids)
	sort.Strings(sorted)
	s.mu.Lock()
	s.status.Running = &RunningTick{At: at, Rules: sorted, Started: started}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.status.Running = nil
		s.mu.Unlock()
	}()
	s.Metrics.started(started)

	var rep *engine.Report
	var err error
	panicked := false
	func() {
		defer func() {
			if p := recover(); p != nil {
				panicked = true
				log.Error("scheduler: tick panicked", "at", at, "rules", sorted, "panic", p, "stack", string(debug.Stack()))
				s.Metrics.observe(nil, time.Since(timer), "panic")
			}
		}()
		if s.run != nil {
			rep, err = s.run(tickCtx, rs, at, sorted)
		} else {
			rep, err = s.Engine.Tick(tickCtx, rs, at, engine.TickOptions{Rules: sorted})
		}
	}()
	took := time.Since(timer)
	switch {
	case panicked:
		// logged and counted above
	case err != nil:
		log.Error("scheduler: tick stopped", "at", at, "rules", sorted, "took", took, "err", err)
		s.Metrics.observe(rep, took, "failed")
	case rep.Errors() > 0:
		log.Warn("scheduler: tick had rule errors", "at", at, "rules", sorted, "took", took, "errors", rep.Errors())
		s.Metrics.observe(rep, took, "rule_errors")
	default:
		raised := 0
		for _, r := range rep.Runs {
			raised += r.Raised + r.Reraised + r.Resolved + r.Flags + r.Accountability
		}
		log.Info("scheduler: tick", "at", at, "rules", sorted, "took", took, "outcomes", raised)
		s.Metrics.observe(rep, took, "ok")
		return true
	}
	return false
}

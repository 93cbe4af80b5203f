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
	s.catchUp(ctx, rs)
	plan := s.replan(rs, nil)
	for ctx.Err() == nil {
		at, due := earliest(plan)
		var wake <-chan time.Time
		timer := time.NewTimer(max(0, at.Sub(s.now())))
		if !at.IsZero() {
			wake = timer.C
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-s.Changed:
			timer.Stop()
			next := s.Rules.Current()
			if next == rs {
				continue
			}
			rs = next
			log.Info("scheduler: new rule set", "rules", len(rs.Rules))
			plan = s.replan(rs, plan)
			// A rule added (or a tick passed over while replanning) since
			// its last scheduled instant is caught up now.
			s.catchUp(ctx, rs)
		case <-wake:
			ids := make([]string, len(due))
			for i, e := range due {
				ids[i] = e.rule.ID
			}
			s.tick(ctx, rs, at, ids)
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
// recorded, at that instant; rules sharing an instant tick together.
func (s *Scheduler) catchUp(ctx context.Context, rs *rules.RuleSet) {
	last, err := s.Engine.Store.LastCleanTicks(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log().Error("scheduler: cannot read the last ticks; no catch-up", "err", err)
		}
		return
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
	for _, t := range instants {
		if ctx.Err() != nil {
			return
		}
		s.log().Info("scheduler: catching up", "at", t, "rules", groups[t])
		s.tick(ctx, rs, t, groups[t])
	}
}

// tick runs one tick of the given rules at instant at, recovering a panic.
func (s *Scheduler) tick(ctx context.Context, rs *rules.RuleSet, at time.Time, ids []string) {
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
	}
}

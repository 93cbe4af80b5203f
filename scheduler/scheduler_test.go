package scheduler

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"duban/clock"
	"duban/engine"
	"duban/internal/poll"
	"duban/lease"
	"duban/models"
	"duban/rules"
	"duban/store"
	"duban/store/storetest"
)

func ruleSet(t *testing.T, yaml string) *rules.RuleSet {
	t.Helper()
	rs, err := rules.Load(fstest.MapFS{"r.yaml": {Data: []byte(yaml)}}, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

const fastRules = `timezone: Asia/Shanghai
rules:
  - {id: a.fast, subject: case, schedule: "@every 1s", when: Case.Open, flag: {label: x}}
  - {id: b.fast, subject: case, schedule: "@every 1s", when: Case.Open, flag: {label: y}}
  - {id: c.daily, subject: case, schedule: "0 8 * * *", when: Case.Open, flag: {label: z}}
`

func TestSchedules(t *testing.T) {
	rs := ruleSet(t, `timezone: Asia/Shanghai
rules:
  - {id: a.every, subject: case, schedule: "@every 5s", when: Case.Open, flag: {label: x}}
  - {id: b.daily, subject: case, schedule: "0 8 * * *", when: Case.Open, flag: {label: x}}
  - {id: c.hourly, subject: case, schedule: "@every 1h", when: Case.Open, flag: {label: x}}
  - {id: d.yearly, subject: case, schedule: "0 0 29 2 *", when: Case.Open, flag: {label: x}}
`)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := time.Date(2026, 3, 10, 9, 17, 23, 500e6, sh)
	cases := []struct {
		rule       string
		prev, next time.Time
	}{
		{"a.every", time.Date(2026, 3, 10, 9, 17, 20, 0, sh), time.Date(2026, 3, 10, 9, 17, 25, 0, sh)},
		{"b.daily", time.Date(2026, 3, 10, 8, 0, 0, 0, sh), time.Date(2026, 3, 11, 8, 0, 0, 0, sh)},
		{"c.hourly", time.Date(2026, 3, 10, 9, 0, 0, 0, sh), time.Date(2026, 3, 10, 10, 0, 0, 0, sh)},
		{"d.yearly", time.Date(2024, 2, 29, 0, 0, 0, 0, sh), time.Date(2028, 2, 29, 0, 0, 0, 0, sh)},
	}
	for _, c := range cases {
		r := rs.Rule(c.rule)
		if got := prev(r, at); !got.Equal(c.prev) {
			t.Errorf("%s: prev %s, want %s", c.rule, got.In(sh), c.prev)
		}
		if got := next(r, at); !got.Equal(c.next) {
			t.Errorf("%s: next %s, want %s", c.rule, got.In(sh), c.next)
		}
		if got := prev(r, c.prev); !got.Equal(c.prev) {
			t.Errorf("%s: prev of a scheduled instant is %s, not itself", c.rule, got.In(sh))
		}
	}
}

// lead runs s.Lead until stop is called.
func lead(s *Scheduler) (stop func(cause error)) {
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Lead(ctx) }()
	return func(cause error) { cancel(cause); <-done }
}

func runs(t *testing.T, s *store.Store) map[string][]models.RuleRun {
	t.Helper()
	var all []models.RuleRun
	if err := s.DB.Order("id").Find(&all).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string][]models.RuleRun{}
	for _, r := range all {
		out[r.RuleID] = append(out[r.RuleID], r)
	}
	return out
}

func TestLeadCatchesUpThenTicksOnScheduleTogether(t *testing.T) {
	storetest.Each(t, time.Now(), func(t *testing.T, st *store.Store, _ *clock.Fixed) {
		st.Clock = clock.Real{}
		rs := ruleSet(t, fastRules)
		changed := make(chan struct{}, 1)
		src := &swappable{set: rs}
		s := &Scheduler{Engine: engine.New(st, nil), Rules: src, Changed: changed, Grace: time.Second,
			Metrics: NewMetrics(prometheus.NewRegistry())}
		started := time.Now()
		stop := lead(s)
		poll.Until(t, "c.daily caught up and a.fast ticked three times", func() bool {
			got := runs(t, st)
			return len(got["c.daily"]) >= 1 && len(got["a.fast"]) >= 3
		})
		if st := s.Status(); !st.Leading || st.Next["c.daily"].IsZero() {
			t.Errorf("status %+v", st)
		}
		// A rule file gains a rule: it is caught up at once.
		src.swap(ruleSet(t, fastRules+`  - {id: d.hourly, subject: case, schedule: "@every 1h", when: Case.Open, flag: {label: w}}
`))
		changed <- struct{}{}
		poll.Until(t, "d.hourly caught up", func() bool { return len(runs(t, st)["d.hourly"]) >= 1 })
		stop(context.Canceled)

		got := runs(t, st)
		sh, _ := time.LoadLocation("Asia/Shanghai")
		daily := got["c.daily"]
		if len(daily) != 1 || !daily[0].Now.Equal(prev(rs.Rule("c.daily"), started)) || daily[0].Now.In(sh).Hour() != 8 {
			t.Fatalf("c.daily ran %+v; want one catch-up tick at the last 08:00", daily)
		}
		hourly := got["d.hourly"]
		if len(hourly) != 1 || hourly[0].Now.Minute() != 0 || hourly[0].Now.Second() != 0 {
			t.Errorf("d.hourly: %+v; want one catch-up tick on the hour", hourly)
		}
		a, b := got["a.fast"], got["b.fast"]
		if len(a) < 3 || len(a) != len(b) {
			t.Fatalf("a.fast ran %d times, b.fast %d", len(a), len(b))
		}
		for i := range a {
			if a[i].TickID != b[i].TickID || !a[i].Now.Equal(b[i].Now) {
				t.Errorf("rules due together ran apart: %s@%s and %s@%s", a[i].TickID, a[i].Now, b[i].TickID, b[i].Now)
			}
			if a[i].Now.Nanosecond() != 0 {
				t.Errorf("tick %d reasons about %s, not a scheduled whole second", i, a[i].Now)
			}
			// One second apart, or a whole number of seconds when a busy
			// machine made a tick overrun and the next instant was skipped.
			if i == 0 {
				continue
			}
			if gap := a[i].Now.Sub(a[i-1].Now); gap < time.Second || gap%time.Second != 0 {
				t.Errorf("ticks %s then %s: not whole seconds apart", a[i-1].Now, a[i].Now)
			}
		}

		// A new leader (another replica, or this one restarted) catches up only
		// what has no clean tick. Once a.fast has ticked under it, its catch-up
		// is over: the daily and hourly instants come before a.fast's.
		before := len(a)
		stop = lead(&Scheduler{Engine: engine.New(st, nil), Rules: src, Grace: time.Second})
		poll.Until(t, "a.fast ticked under the new leader", func() bool { return len(runs(t, st)["a.fast"]) > before })
		stop(context.Canceled)
		if again := runs(t, st); len(again["c.daily"]) != 1 || len(again["d.hourly"]) != 1 {
			t.Errorf("the new leader ran the daily rule %d times, the hourly one %d times", len(again["c.daily"]), len(again["d.hourly"]))
		}
	})
}

type swappable struct {
	mu  sync.Mutex
	set *rules.RuleSet
}

func (s *swappable) Current() *rules.RuleSet { s.mu.Lock(); defer s.mu.Unlock(); return s.set }
func (s *swappable) swap(rs *rules.RuleSet)  { s.mu.Lock(); s.set = rs; s.mu.Unlock() }

// fakeStore is an SQLite store for tests whose ticks are faked.
func fakeStore(t *testing.T) *store.Store {
	st, err := store.Open(context.Background(), storetest.SQLite.NewDSN(t), store.Options{Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestAPanickingTickIsRecoveredAndAnOverrunSkipsInstants(t *testing.T) {
	st := fakeStore(t)
	reg := prometheus.NewRegistry()
	s := &Scheduler{Engine: engine.New(st, nil), Rules: rules.Static{Set: ruleSet(t, `rules:
  - {id: a.fast, subject: case, schedule: "@every 1s", when: Case.Open, flag: {label: x}}
`)}, Grace: time.Second, Metrics: NewMetrics(reg)}
	var calls, running, overlapped atomic.Int32
	s.run = func(ctx context.Context, rs *rules.RuleSet, at time.Time, ids []string) (*engine.Report, error) {
		if running.Add(1) > 1 {
			overlapped.Store(1)
		}
		defer running.Add(-1)
		switch calls.Add(1) {
		case 1: // the catch-up tick
			panic("boom")
		case 2:
			// A tick that takes 2.2s, so it overruns the next two instants
			// (on a busy machine it only takes longer and overruns more).
			time.Sleep(2200 * time.Millisecond)
		}
		return &engine.Report{Now: at}, nil
	}
	stop := lead(s)
	poll.Until(t, "a tick after the overrun", func() bool { return calls.Load() >= 3 })
	stop(context.Canceled)
	if overlapped.Load() != 0 {
		t.Error("a tick started while another was running")
	}
	if n := calls.Load(); n < 3 {
		t.Errorf("the scheduler stopped after a panic: %d calls", n)
	}
	if v := testutil.ToFloat64(s.Metrics.ticks.WithLabelValues("panic")); v != 1 {
		t.Errorf("panics counted: %v", v)
	}
	if v := testutil.ToFloat64(s.Metrics.missed.WithLabelValues("a.fast")); v < 2 {
		t.Errorf("missed instants counted: %v", v)
	}
}

func TestShutdownLetsATickFinishButALostLeaseStopsIt(t *testing.T) {
	st := fakeStore(t)
	// The grace is far longer than the tick, and the tick far longer than it
	// takes to stop on a busy machine: only the scheduler's choice decides
	// whether the tick is cancelled.
	const grace = 2 * time.Minute
	for _, c := range []struct {
		cause     error
		tickTakes time.Duration // unless cancelled
		cancelled bool
	}{{context.Canceled, 500 * time.Millisecond, false}, {lease.ErrLost, time.Minute, true}} {
		s := &Scheduler{Engine: engine.New(st, nil), Rules: rules.Static{Set: ruleSet(t, `rules:
  - {id: a.fast, subject: case, schedule: "@every 1s", when: Case.Open, flag: {label: x}}
`)}, Grace: grace}
		inTick := make(chan struct{}, 1)
		var wasCancelled atomic.Bool
		s.run = func(ctx context.Context, rs *rules.RuleSet, at time.Time, ids []string) (*engine.Report, error) {
			inTick <- struct{}{}
			select {
			case <-ctx.Done():
				wasCancelled.Store(true)
				return nil, ctx.Err()
			case <-time.After(c.tickTakes):
				return &engine.Report{Now: at}, nil
			}
		}
		stop := lead(s)
		<-inTick
		stop(c.cause)
		if wasCancelled.Load() != c.cancelled {
			t.Errorf("stopped with %v: tick cancelled %v, want %v", c.cause, wasCancelled.Load(), c.cancelled)
		}
	}
}

// A tick that fails — the database went away in its middle — is retried
// soon, at the same instant, not left to the rule's next instant (a day
// later for a daily rule); ticks of other rules in between do not cancel
// the retry.
func TestAFailedTickIsRetriedSoonAtItsInstant(t *testing.T) {
	storetest.Each(t, time.Now(), func(t *testing.T, st *store.Store, _ *clock.Fixed) {
		st.Clock = clock.Real{}
		rs := ruleSet(t, fastRules)
		s := &Scheduler{Engine: engine.New(st, nil), Rules: rules.Static{Set: rs}, Grace: time.Second}
		var mu sync.Mutex
		var calls []string
		failed := false
		s.run = func(ctx context.Context, rs *rules.RuleSet, at time.Time, ids []string) (*engine.Report, error) {
			mu.Lock()
			calls = append(calls, ids[0])
			fail := !failed && ids[0] == "c.daily"
			failed = failed || fail
			mu.Unlock()
			if fail {
				return &engine.Report{Now: at}, errors.New("invalid connection")
			}
			return s.Engine.Tick(ctx, rs, at, engine.TickOptions{Rules: ids})
		}
		started := time.Now()
		stop := lead(s)
		poll.Until(t, "c.daily retried cleanly and a.fast ticking", func() bool {
			daily := runs(t, st)["c.daily"]
			mu.Lock()
			defer mu.Unlock()
			return len(daily) == 1 && daily[0].Errors == 0 && len(calls) >= 4
		})
		stop(context.Canceled)
		daily := runs(t, st)["c.daily"]
		if len(daily) != 1 || daily[0].Errors != 0 || !daily[0].Now.Equal(prev(rs.Rule("c.daily"), started)) {
			t.Fatalf("c.daily ran %+v; want its failed catch-up retried at the last 08:00 within seconds", daily)
		}
		mu.Lock()
		defer mu.Unlock()
		if calls[0] != "c.daily" || len(calls) < 4 {
			t.Errorf("ticks %v: want c.daily failing first, a.fast ticking on, c.daily again", calls)
		}
	})
}

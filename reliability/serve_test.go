package reliability_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"duban/internal/faultkit"
	"duban/internal/poll"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// serveSetup is a county served by `duban serve`: the fault scenario ticking
// every 2 seconds and a webhook receiver.
type serveSetup struct {
	sc       faultkit.Scenario
	dsn      string
	args     []string
	env      []string
	recv     *faultkit.Receiver
	st       *store.Store
	dir      string
	rulesDir string
}

func newServeSetup(t *testing.T, dsn string, cases int, behave func(n int, key string) faultkit.Behaviour, extra ...string) *serveSetup {
	t.Helper()
	ss := &serveSetup{dsn: dsn, dir: t.TempDir(),
		sc: faultkit.Scenario{Cases: cases, Schedule: "@every 2s", Repeat: 4 * time.Second,
			Received: time.Now().UTC().Add(-20 * 24 * time.Hour).Truncate(time.Second)}}
	rulesDir, units, casesFile := ss.sc.Files(t, ss.dir)
	ss.rulesDir = rulesDir
	db := "--db=" + dsn
	faultkit.MustRun(t, "import", db, "--kind", "units", units)
	if cases > 0 {
		faultkit.MustRun(t, "import", db, casesFile)
	}
	ss.recv = faultkit.NewReceiver(t, "hook-secret", behave)
	ss.recv.Slow = 800 * time.Millisecond
	notifyFile := filepath.Join(ss.dir, "notify.yaml")
	os.WriteFile(notifyFile, []byte(`retry: {initial_backoff: 100ms, max_backoff: 1s, give_up_after: 1h}
channels:
  - name: hook
    type: webhook
    url: `+ss.recv.URL+`
    secret: ${HOOK_SECRET}
    timeout: 500ms
routes:
  - {levels: [督办], channels: [hook]}
`), 0o644)
	ss.env = []string{"HOOK_SECRET=hook-secret"}
	ss.args = append([]string{db, "--rules", rulesDir, "--notify", notifyFile, "--grace", "5s"}, extra...)
	ss.st = openStore(t, dsn)
	return ss
}

// drained reports whether every sending was dispatched and delivered.
func (ss *serveSetup) drained() bool {
	ctx := context.Background()
	var waiting int64
	ss.st.DB.Model(&models.Delivery{}).Where("status <> ?", models.DeliverySent).Count(&waiting)
	undispatched, err := ss.st.UndispatchedCount(ctx)
	return err == nil && waiting == 0 && undispatched == 0
}

// settle checks, once two clean ticks have run, that no notice was left
// due a re-send; then it rewrites the rules without the repeat (the reload
// is a full tick), so that the outbox stops growing and can be drained.
func (ss *serveSetup) settle(t *testing.T) {
	t.Helper()
	last := ss.lastRun()
	poll.Until(t, "two clean ticks after the faults", func() bool {
		var n int64
		ss.st.DB.Model(&models.RuleRun{}).Where("rule_id = ? AND errors = 0 AND now > ?", "fault.open", last.Now).Count(&n)
		return n >= 2
	})
	exp := ss.sc.Expect()
	exp.Due = true
	out, err := faultkit.Check(context.Background(), ss.st, exp, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range out.Lost {
		t.Error(l)
	}
	last = ss.lastRun()
	once := ss.sc
	once.Repeat = 0
	os.WriteFile(filepath.Join(ss.rulesDir, "fault.yaml"), []byte(once.RulesYAML()), 0o644)
	poll.Until(t, "the rules without repeat are in force and ticked", func() bool {
		var n int64
		ss.st.DB.Model(&models.RuleRun{}).Where("rule_id = ? AND errors = 0 AND state_key <> ?", "fault.open", last.StateKey).Count(&n)
		return n >= 1
	})
}

// lastRun is fault.open's latest rule run.
func (ss *serveSetup) lastRun() models.RuleRun {
	var runs []models.RuleRun
	ss.st.DB.Where("rule_id = ?", "fault.open").Order("now DESC").Limit(1).Find(&runs)
	if len(runs) == 0 {
		return models.RuleRun{}
	}
	return runs[0]
}

// check compares the database with the scenario, deliveries included.
func (ss *serveSetup) check(t *testing.T) *faultkit.Outcome {
	t.Helper()
	out, err := faultkit.Check(context.Background(), ss.st, ss.sc.Expect(), ss.recv.Processed())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range out.Lost {
		t.Error(l)
	}
	return out
}

var tickLine = regexp.MustCompile(`msg="scheduler: tick" at=(\S+)`)

// tickedAt reports whether a server's log says it finished the tick at instant.
func tickedAt(log string, instant time.Time) bool {
	for _, m := range tickLine.FindAllStringSubmatch(log, -1) {
		if at, err := time.Parse(time.RFC3339Nano, m[1]); err == nil && at.Equal(instant) {
			return true
		}
	}
	return false
}

// inFlight counts deliveries a killed replica had claimed and not finished.
func inFlight(st *store.Store, replica string) int64 {
	var n int64
	st.DB.Model(&models.Delivery{}).Where("claimed_by = ? AND status = ? AND claim_until > ?", replica,
		models.DeliveryPending, time.Now().UTC()).Count(&n)
	return n
}

// killAfterBoundary picks the next 2-second instant and a random time into
// it: half the time within twice the tick's last duration (mid-tick), else
// anywhere in the 2 seconds (mostly deliveries).
func killAfterBoundary(rng *rand.Rand, tick time.Duration) (instant time.Time, wait time.Duration) {
	now := time.Now()
	instant = now.Truncate(2 * time.Second).Add(2 * time.Second)
	span := 2 * time.Second
	if rng.IntN(2) == 0 {
		span = max(2*tick, 20*time.Millisecond)
	}
	return instant, instant.Sub(now) + time.Duration(rng.Int64N(int64(span)))
}

// TestKilledServiceLosesNothing SIGKILLs `duban serve` at random points of
// its ticks and deliveries, many times, and restarts it. On MariaDB two
// replicas serve, and the one killed is mostly the lease holder, so the
// lease changes hands each time. In the end every expected notice, flag and
// accountability record exists once, every sending reached the receiver
// (which drops repeats by idempotency key), and the chain verifies.
func TestKilledServiceLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	t.Parallel()
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			rng := seeded(t)
			replicas := 1
			if b.Name != "sqlite" {
				replicas = 2
			}
			behave := func(n int, key string) faultkit.Behaviour {
				switch n % 20 {
				case 7:
					return faultkit.Fail
				case 13:
					return faultkit.CloseMidResponse
				}
				return faultkit.Accept
			}
			ss := newServeSetup(t, b.NewDSN(t), faultkit.Scale(300, 600), behave, "--lease-ttl", "2s")
			ss.recv.Delay = 5 * time.Millisecond // sends take a while: kills land in the middle of them
			servers := make([]*faultkit.Server, replicas)
			for i := range servers {
				servers[i] = faultkit.StartServer(t, fmt.Sprintf("r%d", i), ss.env, ss.args...)
			}
			holder := func() int {
				for i, s := range servers {
					if h := s.Health(); h != nil && h.Lease != nil && h.Lease.ThisIsIt {
						return i
					}
				}
				return -1
			}
			kills := faultkit.Scale(4, 60)
			var takeovers []time.Duration
			phases := map[string]int{}
			var deliveriesCut int64
			for k := 0; k < kills; k++ {
				victim := 0
				if replicas > 1 {
					poll.Until(t, "a replica holds the lease", func() bool { return holder() >= 0 })
					victim = holder()
					if rng.IntN(4) == 0 {
						victim = 1 - victim // now and then the standby
					}
				}
				instant, wait := killAfterBoundary(rng, time.Duration(ss.lastRun().DurationMS)*time.Millisecond)
				time.Sleep(wait)
				s := servers[victim]
				s.Kill()
				killedAt := time.Now()
				log := s.Logs()
				wasHolder := strings.Contains(log, "lease: acquired") && (replicas == 1 || victim == holderAfterKill(servers, victim))
				switch {
				case !wasHolder:
					phases["standby (deliveries only)"]++
				case tickedAt(log, instant):
					phases["after the tick, during deliveries"]++
				default:
					phases["before the tick finished"]++
				}
				deliveriesCut += inFlight(ss.st, s.Replica)
				if replicas > 1 && wasHolder {
					other := servers[1-victim]
					poll.Until(t, "the other replica takes the lease", func() bool {
						h := other.Health()
						return h != nil && h.Lease != nil && h.Lease.ThisIsIt && h.Scheduler.Leading
					})
					takeovers = append(takeovers, time.Since(killedAt))
				}
				servers[victim] = faultkit.StartServer(t, fmt.Sprintf("r%d-%d", victim, k), ss.env, ss.args...)
			}
			ss.settle(t)
			faultkit.Within(t, drainTime(), "every sending is delivered", ss.drained)
			for _, s := range servers {
				s.Stop()
			}
			out := ss.check(t)
			stats := ss.recv.Stats()
			if len(stats.Bad) > 0 {
				t.Errorf("bad posts: %v", stats.Bad)
			}
			faultkit.Record(t, "kill-serve-"+b.Name, map[string]any{
				"backend": b.Name, "replicas": replicas, "cases": ss.sc.Cases, "sigkills": kills, "kills_by_phase": phases,
				"deliveries_in_flight_at_kills": deliveriesCut, "lease_takeover": faultkit.Summarise(takeovers),
				"outcome": out, "receiver": stats,
			})
		})
	}
}

// holderAfterKill is the replica that held the lease before the kill,
// judged by its log: the last replica to log "lease: acquired" without a
// later loss. With one replica it is that one.
func holderAfterKill(servers []*faultkit.Server, victim int) int {
	log := servers[victim].Logs()
	acquired := strings.LastIndex(log, "lease: acquired")
	lost := max(strings.LastIndex(log, "lease: taken over"), strings.LastIndex(log, "stepping down"))
	if acquired > lost {
		return victim
	}
	return -1
}

// drainTime is how long the outbox may take to drain after a run.
func drainTime() time.Duration { return time.Duration(faultkit.Scale(60, 300)) * time.Second }

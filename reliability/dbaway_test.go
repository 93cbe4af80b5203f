package reliability_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"duban/clock"
	"duban/engine"
	"duban/internal/faultkit"
	"duban/internal/poll"
	"duban/models"
	"duban/rules"
	"duban/store"
	"duban/store/storetest"
)

var tcpAddr = regexp.MustCompile(`tcp\(([^)]+)\)`)

// viaProxy puts a proxy between a MariaDB DSN and its server.
func viaProxy(t *testing.T, dsn string) (string, *faultkit.Proxy) {
	m := tcpAddr.FindStringSubmatch(dsn)
	if m == nil {
		t.Fatalf("no tcp(host:port) in %s", dsn)
	}
	p := faultkit.NewProxy(t, m[1])
	return strings.Replace(dsn, m[0], "tcp("+p.Addr()+")", 1), p
}

// TestDatabaseGoneMidTick cuts the connection to MariaDB in the middle of
// a tick — after a given number of outcomes were written — and brings it
// back. The tick must report errors (never claim success), what it wrote
// must stand, and the next tick at the same instant (the scheduler's
// retry) must complete it: the database then holds exactly what an
// uninterrupted tick wrote on a twin database.
func TestDatabaseGoneMidTick(t *testing.T) {
	if testing.Short() {
		t.Skip("uses MariaDB")
	}
	t.Parallel()
	sc := faultkit.Scenario{Cases: 600, Schedule: "0 * * * *", Repeat: 24 * time.Hour, Received: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	rulesDir, units, cases := sc.Files(t, dir)
	now := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	rs, err := rules.LoadPaths([]string{rulesDir}, rules.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cutsAt := []int{1, 150, 700, 1400}
	rng := seeded(t)
	for range faultkit.Scale(1, 30) {
		cutsAt = append(cutsAt, 1+rng.IntN(1650)) // a tick of this county writes about 1650 outcomes
	}
	results := []map[string]any{}
	for _, cutAt := range cutsAt {
		t.Run(fmt.Sprintf("cut after %d outcomes", cutAt), func(t *testing.T) {
			direct, reference := storetest.MySQL.NewDSN(t), storetest.MySQL.NewDSN(t)
			for _, db := range []string{direct, reference} {
				faultkit.MustRun(t, "import", "--db="+db, "--kind", "units", units)
				faultkit.MustRun(t, "import", "--db="+db, cases)
			}
			ref := openStore(t, reference)
			if _, err := engine.New(ref, nil).Tick(ctx, rs, now, engine.TickOptions{Full: true}); err != nil {
				t.Fatal(err)
			}
			want := snapshot(t, ref)

			proxied, proxy := viaProxy(t, direct)
			st, err := store.Open(ctx, proxied, store.Options{Clock: clock.NewFixed(now), SkipMigrate: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			eng := engine.New(st, slog.New(slog.DiscardHandler))
			eng.PageSize = 50
			var written atomic.Int64
			rep, err := eng.Tick(ctx, rs, now, engine.TickOptions{OnOutcome: func(engine.Outcome) {
				if written.Add(1) == int64(cutAt) {
					proxy.Cut(faultkit.Reset)
				}
			}})
			errs := 0
			if rep != nil {
				errs = rep.Errors()
			}
			partial := snapshot(t, openStore(t, direct))
			if err == nil && errs == 0 && len(faultkit.Diff(want, partial, 1)) > 0 {
				t.Fatalf("the tick lost its database after %d outcomes, reported no error, and did not write everything", cutAt)
			}
			proxy.Restore()
			rep, err = eng.Tick(ctx, rs, now, engine.TickOptions{})
			if err != nil || rep.Errors() > 0 {
				t.Fatalf("the tick after the database came back: %v, %d errors", err, rep.Errors())
			}
			got := snapshot(t, openStore(t, direct))
			if d := faultkit.Diff(want, got, 20); len(d) > 0 {
				t.Fatalf("after the database came back:\n%s", joinLines(d, 20))
			}
			chain, err := st.VerifyChain(ctx)
			if err != nil || !chain.OK {
				t.Fatalf("audit verify: %v %+v", err, chain)
			}
			results = append(results, map[string]any{"cut_after_outcomes": cutAt, "written_before_cut": partial.Count(),
				"tick_errors": errs, "outcomes_after_recovery": got.Count(), "differences": 0})
		})
	}
	faultkit.Record(t, "database-gone-mid-tick", map[string]any{"backend": "mariadb", "cases": sc.Cases, "cuts": results})
}

// TestServiceOutlivesDatabaseOutages runs `duban serve` on MariaDB through
// a proxy and cuts the database in the middle of ticks: short outages
// (connections reset, shorter than the lease's time to live) and long ones
// (a blackhole: nothing answers, longer than the lease's time to live, so
// the replica steps down and takes the lease again). New cases arrive just
// before each cut, so the cut tick has work to lose. Every outcome must be
// written soon after the database is back — not at the rule's next
// instant — once, with every sending delivered; /healthz must say the
// database is unavailable while it is.
func TestServiceOutlivesDatabaseOutages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	t.Parallel()
	dsn := storetest.MySQL.NewDSN(t)
	proxied, proxy := viaProxy(t, dsn)
	rng := seeded(t)
	ss := newServeSetup(t, dsn, 0, nil, "--lease-ttl", "15s")
	ss.args[0] = "--db=" + proxied // the service goes through the proxy; the checks do not
	ss.sc.Cases = faultkit.Scale(400, 1500)
	// The next instant is far — recovery must not wait for it — and far
	// enough that the retry a second or so after the restore is well ahead
	// of it on a busy machine too.
	const every = 30 * time.Second
	ss.sc.Schedule = "@every 30s"
	ss.sc.Repeat = 0
	os.WriteFile(filepath.Join(ss.rulesDir, "fault.yaml"), []byte(ss.sc.RulesYAML()), 0o644)
	srv := faultkit.StartServer(t, "serve", ss.env, ss.args...)
	batches := faultkit.Scale(2, 16)
	per := ss.sc.Cases / batches
	type outage struct {
		Mode        string  `json:"mode"`
		DownMS      int64   `json:"down_ms"`
		RecoveredMS int64   `json:"recovered_after_restore_ms"`
		Unavailable bool    `json:"healthz_said_unavailable"`
		Missing     int     `json:"outcomes_missing_at_restore"`
		CutAtMS     float64 `json:"cut_ms_into_tick"`
	}
	var outages []outage
	for i := 0; i < batches; i++ {
		mode, down := faultkit.Reset, 1500*time.Millisecond
		if i%2 == 1 {
			mode, down = faultkit.Blackhole, 4*time.Second
		}
		// New cases just before the next instant; the cut lands in its tick.
		now := time.Now()
		instant := now.Truncate(every).Add(every)
		if instant.Sub(now) < 2*time.Second {
			instant = instant.Add(every)
		}
		time.Sleep(instant.Sub(now) - time.Second)
		part := filepath.Join(ss.dir, fmt.Sprintf("batch-%d.jsonl", i))
		os.WriteFile(part, []byte(ss.sc.CasesPart(i*per, (i+1)*per)), 0o644)
		faultkit.MustRun(t, "import", "--db="+dsn, part)
		// An import slowed by a busy machine may end past the instant: the
		// cut then lands in the next tick, still after the new cases.
		for time.Until(instant) < 100*time.Millisecond {
			instant = instant.Add(every)
		}
		offset := time.Duration(rng.Int64N(int64(60 * time.Millisecond)))
		time.Sleep(time.Until(instant.Add(offset)))
		proxy.Cut(mode)
		cutAt := time.Now()
		// /healthz is asked in the background: its database check waits up
		// to 3s on a blackhole, and the outage must last exactly down.
		var unavailable atomic.Bool
		probing := make(chan struct{})
		go func() {
			defer close(probing)
			// A reset lasts until /healthz has said so (below), however long
			// a busy machine takes to ask.
			for time.Since(cutAt) < down || mode == faultkit.Reset && !unavailable.Load() {
				if h := srv.Health(); h != nil && h.Status == "unavailable" {
					unavailable.Store(true)
				}
				time.Sleep(200 * time.Millisecond)
			}
		}()
		time.Sleep(down)
		if mode == faultkit.Reset {
			poll.Until(t, fmt.Sprintf("outage %d: /healthz says the database is unavailable", i), unavailable.Load)
		}
		missing := len(ss.sc.ExpectUpTo((i + 1) * per).Missing(snapshot(t, ss.st)))
		proxy.Restore()
		restored := time.Now()
		exp := ss.sc.ExpectUpTo((i + 1) * per)
		// Before the rule's next instant (30s after the cut one): the retry
		// wrote them, not the next scheduled tick.
		for deadline := instant.Add(every).Add(-100 * time.Millisecond); len(exp.Missing(snapshot(t, ss.st))) > 0; {
			if time.Now().After(deadline) {
				still := exp.Missing(snapshot(t, ss.st))
				t.Fatalf("outage %d (%s): %d outcomes (%s, ...) still missing %s after the database came back, at the rule's next instant:\n%s",
					i, mode, len(still), strings.Join(still[:min(5, len(still))], ", "), time.Since(restored).Round(time.Millisecond), faultkit.Tail(srv.Logs(), 40))
			}
			time.Sleep(100 * time.Millisecond)
		}
		recovered := time.Since(restored)
		<-probing
		outages = append(outages, outage{Mode: mode.String(), DownMS: restored.Sub(cutAt).Milliseconds(),
			RecoveredMS: recovered.Milliseconds(), Unavailable: unavailable.Load(), Missing: missing,
			CutAtMS: float64(offset.Microseconds()) / 1000})
		if mode == faultkit.Reset && !unavailable.Load() {
			t.Errorf("outage %d: /healthz never said the database was unavailable", i)
		}
	}
	faultkit.Within(t, drainTime(), "every sending is delivered", ss.drained)
	srv.Stop()
	ss.sc.Cases = batches * per
	out := ss.check(t)
	faultkit.Record(t, "database-outages-serve", map[string]any{"backend": "mariadb", "cases": ss.sc.Cases,
		"outages": outages, "outcome": out, "receiver": ss.recv.Stats()})
}

// TestSQLiteLockedOutMidTick holds the SQLite file's write lock from
// another connection (a backup tool, a hung process) for 3 seconds over a
// tick of the service. The tick waits for it (the busy timeout is 15s) and
// completes; nothing is lost.
func TestSQLiteLockedOutMidTick(t *testing.T) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	t.Parallel()
	dsn := storetest.SQLite.NewDSN(t)
	ss := newServeSetup(t, dsn, faultkit.Scale(400, 800), nil)
	path := strings.TrimPrefix(dsn, "sqlite:")
	srv := faultkit.StartServer(t, "serve", ss.env, ss.args...)
	poll.Until(t, "the first tick", func() bool { return ss.lastRun().ID != 0 })
	holds := faultkit.Scale(3, 10)
	var waits, tickTimes []time.Duration
	for i := 0; i < holds; i++ {
		// Taken just before an instant, the lock is held while the tick
		// reads and when it first writes.
		instant := time.Now().Truncate(2 * time.Second).Add(4 * time.Second)
		time.Sleep(time.Until(instant.Add(-100 * time.Millisecond)))
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(20000)")
		if err != nil {
			t.Fatal(err)
		}
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
			t.Fatal(err)
		}
		held := time.Now()
		time.Sleep(3 * time.Second)
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		db.Close()
		waits = append(waits, time.Since(held))
		poll.Until(t, "the tick at the locked instant is recorded", func() bool {
			var runs []models.RuleRun
			ss.st.DB.Where("rule_id = ? AND now = ?", "fault.open", instant.UTC()).Find(&runs)
			if len(runs) == 1 {
				tickTimes = append(tickTimes, time.Since(instant))
			}
			return len(runs) == 1
		})
	}
	ss.settle(t)
	faultkit.Within(t, drainTime(), "every sending is delivered", ss.drained)
	srv.Stop()
	out := ss.check(t)
	faultkit.Record(t, "sqlite-locked-out", map[string]any{
		"backend": "sqlite", "cases": ss.sc.Cases, "lock_held": faultkit.Summarise(waits),
		"locked_tick_recorded_after_instant": faultkit.Summarise(tickTimes),
		"outcome":                            out, "receiver": ss.recv.Stats(),
	})
}

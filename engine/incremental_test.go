package engine_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"duban/clock"
	"duban/engine"
	"duban/importer"
	"duban/models"
	"duban/rules"
	"duban/store"
	"duban/store/storetest"
)

// randomCase returns a case as the import format has it, with times spread
// around start so that deadlines, periods and windows fall due during the test.
func randomCase(r *rand.Rand, no int, start time.Time) map[string]any {
	ts := func(t time.Time) string { return t.Format(time.RFC3339) }
	around := func(days int) time.Time {
		return start.Add(time.Duration(r.IntN(days*2*24*60)-days*24*60) * time.Minute)
	}
	c := map[string]any{"case_no": fmt.Sprintf("C%04d", no), "petitioner_id": fmt.Sprintf("P%02d", r.IntN(25)),
		"channel": []string{"visit", "letter", "online", "leader_reception"}[r.IntN(4)], "category": []string{"甲", "乙"}[r.IntN(2)],
		"group_size": 1 + r.IntN(6), "escalated": r.IntN(10) == 0}
	if c["channel"] == "leader_reception" {
		c["reception_leader"] = "王建国"
	}
	received := around(20).Add(-10 * 24 * time.Hour)
	c["received_at"] = ts(received)
	switch r.IntN(5) {
	case 0:
		c["status"] = "received"
	case 1:
		c["status"], c["accepted_at"] = "accepted", ts(received.Add(time.Hour))
	case 2, 3:
		c["status"], c["accepted_at"] = "assigned", ts(received.Add(time.Hour))
		c["assigned_unit"], c["assigned_at"] = "zjj", ts(received.Add(2*time.Hour))
		if r.IntN(4) > 0 {
			c["due_at"] = ts(around(3))
		}
		if r.IntN(6) == 0 {
			c["extended_due_at"] = ts(around(5).Add(48 * time.Hour))
		}
	default:
		closed := received.Add(time.Duration(1+r.IntN(5*24)) * time.Hour)
		c["status"], c["accepted_at"], c["closed_at"] = "closed", ts(received.Add(time.Hour)), ts(closed)
		c["assigned_unit"], c["assigned_at"] = "zjj", ts(received.Add(2*time.Hour))
		if r.IntN(3) == 0 {
			c["return_visit_at"] = ts(closed.Add(time.Duration(1+r.IntN(20*24)) * time.Hour))
		}
	}
	return c
}

// TestIncrementalTicksMatchFullTicks runs the same history twice — ticks at
// random times over three days with cases added and edited in between — once
// as the engine chooses (mostly incremental) and once in full every time, and
// requires every tick to report exactly the same outcomes.
func TestIncrementalTicksMatchFullTicks(t *testing.T) {
	seeds := uint64(3)
	if s := os.Getenv("DUBAN_SEEDS"); s != "" {
		fmt.Sscan(s, &seeds)
	}
	rs, err := rules.Load(rules.Defaults(), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			start := time.Date(2026, 3, 9, 7, 0, 0, 0, shanghai)
			storetest.Each(t, start, func(t *testing.T, inc *store.Store, incClock *clock.Fixed) {
				full, err := store.Open(context.Background(), "sqlite:"+t.TempDir()+"/full.db", store.Options{Clock: clock.NewFixed(start)})
				if err != nil {
					t.Fatal(err)
				}
				defer full.Close()
				fullClock := full.Clock.(*clock.Fixed)
				r := rand.New(rand.NewPCG(seed, 99))
				both := func(f func(s *store.Store)) { f(inc); f(full) }
				setClock := func(at time.Time) { incClock.Set(at); fullClock.Set(at) }
				importBoth := func(kind string, recs []map[string]any) {
					both(func(s *store.Store) {
						// Each row is the whole case: the fields it does not
						// set are cleared (null), and it may reopen one.
						if kind == importer.KindCases {
							for _, rec := range recs {
								for _, f := range importer.CaseFields {
									if _, ok := rec[f]; !ok {
										rec[f] = nil
									}
								}
							}
						}
						if _, err := importer.Records(context.Background(), s, importer.FromMaps(recs), importer.Options{Kind: kind, AllowReopen: true}); err != nil {
							t.Fatal(err)
						}
					})
				}
				importBoth(importer.KindUnits, []map[string]any{{"code": "zjj", "name": "住建局"}})
				var cases []map[string]any
				for i := range 150 {
					cases = append(cases, randomCase(r, i, start))
				}
				importBoth(importer.KindCases, cases)
				var slots []map[string]any
				for d := 0; d < 10; d++ {
					slots = append(slots, map[string]any{"date": start.AddDate(0, 0, d).Format("2006-01-02"), "leader": "李明", "leader_available": r.IntN(2) == 0})
				}
				importBoth(importer.KindSlots, slots)

				now := start
				modes := map[string]int{}
				for step := 0; step < 40; step++ {
					now = now.Add(time.Duration(20+r.IntN(150)) * time.Minute)
					// Edits a few minutes before the tick.
					setClock(now.Add(-time.Duration(1+r.IntN(10)) * time.Minute))
					var edits []map[string]any
					edited := map[int]bool{}
					for range r.IntN(4) {
						if r.IntN(3) == 0 {
							edited[len(cases)] = true
							cases = append(cases, randomCase(r, len(cases), now))
							edits = append(edits, cases[len(cases)-1])
						} else if i := r.IntN(len(cases)); !edited[i] {
							edited[i] = true
							cases[i] = randomCase(r, i, now)
							edits = append(edits, cases[i])
						}
					}
					if len(edits) > 0 {
						importBoth(importer.KindCases, edits)
					}
					setClock(now)
					var got [2][]string
					for i, s := range []*store.Store{inc, full} {
						rep, err := engine.New(s, nil).Tick(context.Background(), rs, now, engine.TickOptions{Full: i == 1,
							OnOutcome: func(o engine.Outcome) {
								got[i] = append(got[i], fmt.Sprintf("%s %s %s %s %s %s", o.Kind, o.Action, o.Rule, o.Subject, o.CaseNo, o.Title))
							}})
						if err != nil {
							t.Fatal(err)
						}
						if i == 0 {
							for _, run := range rep.Runs {
								modes[run.Mode]++
							}
						}
						sort.Strings(got[i])
					}
					if strings.Join(got[0], "\n") != strings.Join(got[1], "\n") {
						t.Fatalf("step %d at %s: the incremental tick reported\n  %s\nthe full tick\n  %s", step, now,
							strings.Join(got[0], "\n  "), strings.Join(got[1], "\n  "))
					}
				}
				if modes["incremental"] < 100 || modes["full"] < 20 {
					t.Errorf("rule runs by mode: %v; the test should exercise both", modes)
				}
				// And the notices agree, open or not.
				var a, b []string
				inc.DB.Model(&models.Notice{}).Order("dedup_key").Pluck("dedup_key || ' ' || status || ' ' || send_count", &a)
				full.DB.Model(&models.Notice{}).Order("dedup_key").Pluck("dedup_key || ' ' || status || ' ' || send_count", &b)
				if inc.Dialect == store.SQLite && strings.Join(a, "\n") != strings.Join(b, "\n") {
					t.Errorf("notices differ")
				}
			})
		})
	}
}

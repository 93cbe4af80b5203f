package engine_test

import (
	"context"
	"testing"
	"time"

	"duban/clock"
	"duban/engine"
	"duban/importer"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// TestRollingUpgrade is a rolling deploy: replicas of the old binary (which
// knows this binary's migrations) and the new one (which adds notices.escalated_to, an
// expand migration) run against one database. The new replica migrates; an
// old one started after it still starts, ticks and delivers; the new one
// writes and reads its column, and the old one's writes leave it alone.
func TestRollingUpgrade(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := b.NewDSN(t)
			clk := clock.NewFixed(at("2026-03-10 08:00"))
			openWith := func(set store.Migrations) *store.Store {
				t.Helper()
				s, err := store.Open(ctx, dsn, store.Options{Clock: clk, Migrations: set})
				if err != nil {
					t.Fatalf("open with migrations up to %d: %v", set.Latest(), err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
			old := openWith(store.DefaultMigrations())
			importJSONL(t, old, importer.KindUnits, units)
			importJSONL(t, old, importer.KindCases, cases)

			newer := openWith(storetest.With(storetest.AddNoticeColumn(storetest.Next(1))))
			if st, _ := newer.SchemaStatus(ctx); st.Current != storetest.Next(1) {
				t.Fatalf("the new replica left the schema at %d", st.Current)
			}
			// An old replica restarting in the middle of the deploy.
			old.Close()
			old = openWith(store.DefaultMigrations())

			rs := defaults(t)
			sameKeys(t, "the old replica's tick", collect(t, engine.New(old, nil), rs, at("2026-03-10 08:00")), []key{
				{"notice", "raised", "deadline.breach", "C-OVERDUE"},
				{"notice", "raised", "deadline.breach", "C-LONGOVERDUE"},
				{"accountability", "raised", "deadline.accountability", "C-LONGOVERDUE"},
				{"notice", "raised", "deadline.warning", "C-NEARDUE"},
				{"notice", "raised", "handoff.next_day", "C-HANDOFF"},
				{"notice", "raised", "acceptance.overdue", "C-UNACCEPTED"},
				{"flag", "raised", "abnormal.group", "C-GROUP"},
				{"flag", "raised", "abnormal.escalated", "C-GROUP"},
			})
			if got := deliver(t, old, "old-1"); got != 5 {
				t.Errorf("the old replica delivered %d notices of the first tick, want 5", got)
			}

			// The new replica uses its column.
			if err := newer.DB.Exec("UPDATE notices SET escalated_to = ? WHERE case_no = ?", "县信访局", "C-LONGOVERDUE").Error; err != nil {
				t.Fatal(err)
			}

			// The next day the old replica ticks again (re-sending what still
			// holds) and delivers; its writes leave the new column alone.
			clk.Set(at("2026-03-11 08:00"))
			if _, err := engine.New(old, nil).Tick(ctx, rs, clk.Now(), engine.TickOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := deliver(t, old, "old-2"); got != 4 {
				t.Errorf("the old replica delivered %d re-sent notices, want 4", got)
			}
			notices, err := old.ListNotices(ctx, store.NoticeFilter{})
			if err != nil || len(notices) != 5 {
				t.Fatalf("the old replica lists %d notices: %v", len(notices), err)
			}
			var escalatedTo string
			newer.DB.Raw("SELECT escalated_to FROM notices WHERE case_no = ?", "C-LONGOVERDUE").Scan(&escalatedTo)
			var sends int
			newer.DB.Raw("SELECT send_count FROM notices WHERE case_no = ?", "C-LONGOVERDUE").Scan(&sends)
			if escalatedTo != "县信访局" || sends != 2 {
				t.Errorf("after the old replica's tick: escalated_to %q, send_count %d; want 县信访局, 2", escalatedTo, sends)
			}
			// And the new replica ticks on the same data.
			clk.Set(at("2026-03-12 08:00"))
			if _, err := engine.New(newer, nil).Tick(ctx, rs, clk.Now(), engine.TickOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := deliver(t, newer, "new-1"); got == 0 {
				t.Error("the new replica delivered nothing on the third day")
			}
		})
	}
}

// deliver does what a delivery worker does with one channel: dispatch the
// outbox, claim every due delivery and record it sent. It returns how many
// it sent.
func deliver(t *testing.T, s *store.Store, worker string) int {
	t.Helper()
	ctx := context.Background()
	items, err := s.Undispatched(ctx, 100)
	if err != nil {
		t.Fatalf("%s: undispatched: %v", worker, err)
	}
	for _, it := range items {
		if _, err := s.Dispatch(ctx, it.Outbox, []string{"hook"}); err != nil {
			t.Fatalf("%s: dispatch: %v", worker, err)
		}
	}
	due, err := s.DueDeliveries(ctx, []string{"hook"}, 100)
	if err != nil {
		t.Fatalf("%s: due: %v", worker, err)
	}
	sent := 0
	for _, d := range due {
		token := worker + "-" + d.IdemKey
		if ok, err := s.ClaimDelivery(ctx, d.ID, worker, token, time.Minute); !ok || err != nil {
			t.Fatalf("%s: claim %d: %v, %v", worker, d.ID, ok, err)
		}
		if ok, err := s.FinishDelivery(ctx, d.ID, token, store.Attempt{Status: models.DeliverySent}); !ok || err != nil {
			t.Fatalf("%s: finish %d: %v, %v", worker, d.ID, ok, err)
		}
		sent++
	}
	return sent
}

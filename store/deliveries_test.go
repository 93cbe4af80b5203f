package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// raiseNotices opens n notice episodes (one outbox message each).
func raiseNotices(t *testing.T, s *store.Store, n int) {
	t.Helper()
	b := &store.Batch{Now: s.Clock.Now()}
	for i := 1; i <= n; i++ {
		key := fmt.Sprintf("C%d", i)
		b.Opens = append(b.Opens, &store.OpenOp{
			Episode: models.Episode{RuleID: "deadline.breach", SubjectKind: "case", SubjectKey: key, Seq: 1},
			Notice: &models.Notice{DedupKey: "deadline.breach/" + key + "/1", RuleID: "deadline.breach", SubjectKind: "case",
				SubjectKey: key, CaseNo: key, Level: "督办", Title: key + " 已超期", UnitCode: "zjj", Recipients: `["zjj","督查组"]`},
		})
	}
	if err := s.ApplyBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func TestDispatchClaimAndFinishDeliveries(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		raiseNotices(t, s, 3)
		items, err := s.Undispatched(ctx, 10)
		if err != nil || len(items) != 3 || items[0].Notice.CaseNo != "C1" || items[0].Outbox.IdemKey != fmt.Sprintf("notice/%d/1", items[0].Notice.ID) {
			t.Fatalf("undispatched: %+v, %v", items, err)
		}
		for _, it := range items {
			// Twice, as two replicas would: the second creates nothing.
			for round, want := range []int{2, 0} {
				n, err := s.Dispatch(ctx, it.Outbox, []string{"dcz", "zjj-mail"})
				if err != nil || n != want {
					t.Fatalf("dispatch %s round %d: created %d, %v", it.Outbox.IdemKey, round, n, err)
				}
			}
		}
		if n, _ := s.UndispatchedCount(ctx); n != 0 {
			t.Errorf("%d still undispatched", n)
		}
		due, err := s.DueDeliveries(ctx, []string{"dcz"}, 10)
		if err != nil || len(due) != 3 {
			t.Fatalf("due: %d, %v", len(due), err)
		}
		d := due[0]
		if ok, _ := s.ClaimDelivery(ctx, d.ID, "a", "tok-a", time.Minute); !ok {
			t.Fatal("a could not claim")
		}
		if ok, _ := s.ClaimDelivery(ctx, d.ID, "b", "tok-b", time.Minute); ok {
			t.Fatal("b claimed a held delivery")
		}
		if due, _ := s.DueDeliveries(ctx, []string{"dcz"}, 10); len(due) != 2 {
			t.Errorf("a held delivery is listed as due: %d", len(due))
		}
		// a's claim runs out (a died): b takes it over, and a late answer from a is not recorded.
		clk.Advance(61 * time.Second)
		if ok, _ := s.ClaimDelivery(ctx, d.ID, "b", "tok-b", time.Minute); !ok {
			t.Fatal("b could not take over an expired claim")
		}
		if ok, _ := s.FinishDelivery(ctx, d.ID, "tok-a", store.Attempt{Status: models.DeliverySent}); ok {
			t.Fatal("a recorded a result on a delivery it no longer holds")
		}
		next := clk.Now().Add(30 * time.Second)
		if ok, err := s.FinishDelivery(ctx, d.ID, "tok-b", store.Attempt{Status: models.DeliveryPending, Next: next, Error: "HTTP 500"}); !ok || err != nil {
			t.Fatalf("b could not record: %v", err)
		}
		if due, _ := s.DueDeliveries(ctx, []string{"dcz"}, 10); len(due) != 2 {
			t.Errorf("a delivery waiting out its backoff is due: %d", len(due))
		}
		clk.Advance(31 * time.Second)
		due, _ = s.DueDeliveries(ctx, []string{"dcz"}, 10)
		if len(due) != 3 || due[0].ID == d.ID || due[2].ID != d.ID || due[2].Attempts != 1 || due[2].LastError != "HTTP 500" {
			t.Fatalf("after the backoff: %+v", due)
		}
		s.ClaimDelivery(ctx, d.ID, "b", "tok-c", time.Minute)
		s.FinishDelivery(ctx, d.ID, "tok-c", store.Attempt{Status: models.DeliveryDead, Error: "HTTP 404"})
		s.ClaimDelivery(ctx, due[0].ID, "b", "tok-d", time.Minute)
		s.FinishDelivery(ctx, due[0].ID, "tok-d", store.Attempt{Status: models.DeliverySent})

		dead, err := s.ListDeliveries(ctx, store.DeliveryFilter{Status: models.DeliveryDead})
		if err != nil || len(dead) != 1 || dead[0].ID != d.ID || dead[0].Attempts != 2 {
			t.Fatalf("dead: %+v, %v", dead, err)
		}
		backlog, err := s.DeliveryBacklogs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(backlog)
		want := fmt.Sprintf("[{dcz dead 1 %s} {dcz pending 1 %s} {zjj-mail pending 3 %s}]", t0, t0, t0)
		if got != want {
			t.Errorf("backlog %s, want %s", got, want)
		}
		ids, _ := s.DeadDeliveryIDs(ctx, "dcz")
		skipped, err := s.RetryDeliveries(ctx, append(ids, due[0].ID, 999))
		if err != nil || fmt.Sprint(skipped) != fmt.Sprintf("[%d 999]", due[0].ID) {
			t.Fatalf("retry skipped %v, %v", skipped, err)
		}
		due, _ = s.DueDeliveries(ctx, []string{"dcz"}, 10)
		if len(due) != 2 || due[len(due)-1].ID != d.ID || !due[len(due)-1].RetryFrom.Equal(clk.Now()) {
			t.Errorf("a retried dead letter is not due with a fresh budget: %+v", due)
		}
	})
}

func TestLastCleanTicks(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		for i, r := range []models.RuleRun{
			{RuleID: "a", Now: t0},
			{RuleID: "a", Now: t0.Add(time.Hour)},
			{RuleID: "a", Now: t0.Add(2 * time.Hour), Errors: 1},
			{RuleID: "b", Now: t0.Add(time.Minute)},
		} {
			r.TickID = fmt.Sprint(i)
			r.StartedAt, r.FinishedAt = t0, t0
			if err := s.SaveRuleRun(ctx, &r); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.LastCleanTicks(ctx)
		if err != nil || len(got) != 2 || !got["a"].Equal(t0.Add(time.Hour)) || !got["b"].Equal(t0.Add(time.Minute)) {
			t.Errorf("%v, %v", got, err)
		}
	})
}

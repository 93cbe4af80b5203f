package store_test

import (
	"context"
	"strings"
	"testing"

	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// rewrite changes record seq and re-hashes it and every record after it,
// setting the head row to match: the chain then verifies on its own.
func rewrite(t *testing.T, s *store.Store, from int64, change func(r *models.AccountabilityRecord)) {
	t.Helper()
	var recs []models.AccountabilityRecord
	s.DB.Order("seq").Find(&recs)
	prev := ""
	for i := range recs {
		r := &recs[i]
		if r.Seq >= from {
			if r.Seq == from {
				change(r)
			}
			r.PrevHash = prev
			r.Hash = store.ChainHash(r)
			if err := s.DB.Exec("UPDATE accountability_records SET reason = ?, grade = ?, prev_hash = ?, hash = ? WHERE seq = ?",
				r.Reason, r.Grade, r.PrevHash, r.Hash, r.Seq).Error; err != nil {
				t.Fatal(err)
			}
		}
		prev = r.Hash
	}
	s.DB.Exec("UPDATE audit_heads SET seq = ?, hash = ? WHERE id = 1", recs[len(recs)-1].Seq, prev)
}

func TestAnExportedHeadCatchesARewrittenOrCutChain(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(t *testing.T, s *store.Store)
		wantSeq int64
		want    string
	}{
		{"untouched, later entries appended", func(t *testing.T, s *store.Store) {}, 0, ""},
		{"the newest records cut and the head set back", func(t *testing.T, s *store.Store) {
			s.DB.Exec("DELETE FROM accountability_records WHERE seq > 3")
			var r models.AccountabilityRecord
			s.DB.Where("seq = 3").Take(&r)
			s.DB.Exec("UPDATE audit_heads SET seq = 3, hash = ? WHERE id = 1", r.Hash)
		}, 4, "the chain ends at record 3, but the head exported at record 5"},
		{"the whole chain rewritten from the first record", func(t *testing.T, s *store.Store) {
			rewrite(t, s, 1, func(r *models.AccountabilityRecord) { r.Reason = "已整改" })
		}, 5, "record 5 has hash"},
		{"a middle record rewritten and every later hash recomputed", func(t *testing.T, s *store.Store) {
			rewrite(t, s, 3, func(r *models.AccountabilityRecord) { r.Grade = "提醒谈话" })
		}, 5, "the chain up to record 5 was rewritten"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
				ctx := context.Background()
				chain(t, s, 5)
				head, rep, err := s.Head(ctx)
				if err != nil || head == nil || head.Seq != 5 || head.Count != 5 || len(head.Hash) != 64 || !head.Time.Equal(t0.Add(5*60e9)) {
					t.Fatalf("head %+v %+v %v", head, rep, err)
				}
				if _, err := s.AppendReview(ctx, 2, store.DecisionConfirm, "属实", "纪检组 刘芳"); err != nil {
					t.Fatal(err)
				}
				tc.tamper(t, s)
				alone := verify(t, s)
				if !alone.OK {
					t.Fatalf("the chain alone does not verify, so this case tests nothing: %+v", alone.First)
				}
				got, err := s.VerifyChainAgainst(ctx, *head)
				if err != nil {
					t.Fatal(err)
				}
				if tc.want == "" {
					if !got.OK || got.Against == nil {
						t.Errorf("an untouched chain fails against its head: %+v", got.First)
					}
					return
				}
				if got.OK || got.First.Seq != tc.wantSeq || !strings.Contains(got.First.Problem, tc.want) {
					t.Errorf("got ok=%v %+v; want record %d, %q", got.OK, got.First, tc.wantSeq, tc.want)
				}
			})
		})
	}
}

func TestNoHeadIsExportedFromAnAlteredChain(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		chain(t, s, 3)
		s.DB.Exec("UPDATE accountability_records SET reason = 'x' WHERE seq = 2")
		head, rep, err := s.Head(context.Background())
		if err != nil || head != nil || rep.OK || rep.First.Seq != 2 {
			t.Errorf("head %+v, report %+v, %v", head, rep, err)
		}
	})
}

package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

var t0 = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

// chain appends n records (one batch each) and returns them in order.
func chain(t *testing.T, s *store.Store, n int) []models.AccountabilityRecord {
	t.Helper()
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		b := &store.Batch{Now: t0.Add(time.Duration(i) * time.Minute), Opens: []*store.OpenOp{{
			Episode: models.Episode{RuleID: "deadline.accountability", SubjectKind: "case", SubjectKey: fmt.Sprintf("C%d", i), Seq: 1},
			Account: &models.AccountabilityRecord{Kind: models.AccountRecord, DedupKey: fmt.Sprintf("deadline.accountability/C%d/1", i),
				RuleID: "deadline.accountability", SubjectKind: "case", SubjectKey: fmt.Sprintf("C%d", i), CaseNo: fmt.Sprintf("C%d", i),
				UnitCode: "zjj", Grade: "通报批评", Reason: fmt.Sprintf("超期 %d 个工作日未办结", 10+i), Evidence: `{"result":true}`},
		}}}
		if err := s.ApplyBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	var out []models.AccountabilityRecord
	s.DB.Order("seq").Find(&out)
	return out
}

func verify(t *testing.T, s *store.Store) *store.ChainReport {
	t.Helper()
	rep, err := s.VerifyChain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestChainVerifiesAndDetectsEveryKindOfTampering(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(s *store.Store, recs []models.AccountabilityRecord)
		wantSeq int64
		want    string
	}{
		{"edit a reason", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("UPDATE accountability_records SET reason = ? WHERE seq = 3", "已整改")
		}, 3, "record 3 was altered"},
		{"edit the unit", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("UPDATE accountability_records SET unit_code = 'rsj' WHERE seq = 2")
		}, 2, "record 2 was altered"},
		{"edit and re-hash", func(s *store.Store, r []models.AccountabilityRecord) {
			rec := r[1]
			rec.Grade = "提醒谈话"
			s.DB.Exec("UPDATE accountability_records SET grade = ?, hash = ? WHERE seq = 2", rec.Grade, store.ChainHash(&rec))
		}, 3, "does not follow record 2"},
		{"delete one in the middle", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("DELETE FROM accountability_records WHERE seq = 3")
		}, 4, "record 3 is missing"},
		{"delete the newest", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("DELETE FROM accountability_records WHERE seq = 5")
		}, 5, "records 5 to 5 are missing"},
		{"delete the first", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("DELETE FROM accountability_records WHERE seq = 1")
		}, 2, "record 1 is missing"},
		{"swap two records", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("UPDATE accountability_records SET seq = 100 WHERE seq = 2")
			s.DB.Exec("UPDATE accountability_records SET seq = 2 WHERE seq = 4")
			s.DB.Exec("UPDATE accountability_records SET seq = 4 WHERE seq = 100")
		}, 2, "does not follow record 1"},
		{"insert a forged record", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("UPDATE accountability_records SET seq = seq + 1000 WHERE seq >= 3")
			s.DB.Exec("UPDATE accountability_records SET seq = seq - 999 WHERE seq >= 1000")
			forged := r[1]
			forged.ID, forged.Seq, forged.DedupKey, forged.PrevHash = 0, 3, "forged", r[1].Hash
			forged.Hash = store.ChainHash(&forged)
			if err := s.DB.Create(&forged).Error; err != nil {
				panic(err)
			}
		}, 4, "does not follow record 3"},
		{"delete the chain head", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("DELETE FROM audit_heads")
		}, 0, "head row is missing"},
		{"backdate a record", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("UPDATE accountability_records SET created_at = ? WHERE seq = 4", t0)
		}, 4, "record 4 was altered"},
		{"point a record at another predecessor", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("UPDATE accountability_records SET prev_hash = ? WHERE seq = 3", r[0].Hash)
		}, 3, "record 3 does not follow record 2"},
		{"edit the head's hash", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("UPDATE audit_heads SET hash = ? WHERE id = 1", r[3].Hash)
		}, 5, "the chain head (record 5"},
		{"claim records that do not exist", func(s *store.Store, r []models.AccountabilityRecord) {
			s.DB.Exec("UPDATE audit_heads SET seq = 7 WHERE id = 1")
		}, 6, "records 6 to 7 are missing"},
		{"append a forged record without moving the head", func(s *store.Store, r []models.AccountabilityRecord) {
			forged := r[4]
			forged.ID, forged.Seq, forged.DedupKey, forged.PrevHash = 0, 6, "forged", r[4].Hash
			forged.Hash = store.ChainHash(&forged)
			if err := s.DB.Create(&forged).Error; err != nil {
				panic(err)
			}
		}, 6, "records 6 to 6 come after the chain head (record 5)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
				recs := chain(t, s, 5)
				if rep := verify(t, s); !rep.OK || rep.Records != 5 || rep.HeadSeq != 5 {
					t.Fatalf("untouched chain: %+v %+v", rep, rep.First)
				}
				tc.tamper(s, recs)
				rep := verify(t, s)
				if rep.OK {
					t.Fatalf("tampering not detected")
				}
				if rep.First.Seq != tc.wantSeq || !strings.Contains(rep.First.Problem, tc.want) {
					t.Errorf("first problem at %d: %q; want at %d, containing %q", rep.First.Seq, rep.First.Problem, tc.wantSeq, tc.want)
				}
			})
		})
	}
}

func TestReviewsAreNewEntriesThatKeepTheChain(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		recs := chain(t, s, 2)
		rev, err := s.AppendReview(ctx, recs[0].Seq, store.DecisionDismiss, "已在期限内报请延期，系统未录入", "纪检组 刘芳")
		if err != nil {
			t.Fatal(err)
		}
		if rev.Seq != 3 || rev.RefSeq != 1 || rev.Kind != models.AccountReview || rev.Decision != "dismiss" {
			t.Errorf("review entry: %+v", rev)
		}
		var first models.AccountabilityRecord
		s.DB.Where("seq = 1").Take(&first)
		if first.Hash != recs[0].Hash || first.Reason != recs[0].Reason {
			t.Error("the reviewed record was changed")
		}
		if rep := verify(t, s); !rep.OK || rep.Records != 3 {
			t.Errorf("chain with a review: %+v", rep)
		}
		for _, bad := range []struct {
			seq                        int64
			decision, reason, reviewer string
		}{{1, "approve", "x", "y"}, {1, "confirm", "", "y"}, {1, "confirm", "x", ""}, {99, "confirm", "x", "y"}, {3, "confirm", "x", "y"}} {
			if _, err := s.AppendReview(ctx, bad.seq, bad.decision, bad.reason, bad.reviewer); err == nil {
				t.Errorf("review %+v accepted", bad)
			}
		}
		if rep := verify(t, s); !rep.OK || rep.Records != 3 {
			t.Errorf("refused reviews changed the chain: %+v", rep)
		}
	})
}

func TestReopeningDoesNotRebuildTheSchema(t *testing.T) {
	path := "sqlite:" + t.TempDir() + "/d.db"
	ctx := context.Background()
	s, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// An index an operator added by hand: gorm's SQLite migrator would drop
	// it when rebuilding the table.
	s.DB.Exec("CREATE INDEX by_hand ON cases(category)")
	s.Close()
	s, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	s.DB.Raw("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'by_hand'").Scan(&n)
	if n != 1 {
		t.Error("opening the store again rebuilt the cases table")
	}
	if st, err := s.SchemaStatus(ctx); err != nil || st.Current != st.Latest {
		t.Errorf("schema at version %d, want %d (%v)", st.Current, st.Latest, err)
	}
}

func TestAnEmptyUnitScopeSeesNoNotices(t *testing.T) {
	storetest.Each(t, t0, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		s.DB.Create(&models.Notice{EpisodeID: 1, DedupKey: "r/x/1", RuleID: "r", SubjectKind: "case", SubjectKey: "x",
			Level: "督办", Title: "t", UnitCode: "zjj", Status: models.NoticeOpen, RaisedAt: t0, LastSentAt: t0, SendCount: 1})
		all, _ := s.ListNotices(ctx, store.NoticeFilter{})
		none, _ := s.ListNotices(ctx, store.NoticeFilter{Units: []string{}})
		counts, _ := s.CountNotices(ctx, store.NoticeFilter{Units: []string{}})
		if len(all) != 1 || len(none) != 0 || len(counts) != 0 {
			t.Errorf("no filter: %d notices; empty scope: %d notices, %d counts", len(all), len(none), len(counts))
		}
	})
}

package store_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"duban/clock"
	"duban/importer"
	"duban/models"
	"duban/rules"
	"duban/store"
	"duban/store/storetest"
)

// A unit's February, case by case, and what its scorecard must say.
const scoreUnits = `{"code":"zjj","name":"县住建局"}
{"code":"rsj","name":"县人社局"}
`

const scoreCases = `{"case_no":"A","channel":"visit","status":"closed","received_at":"2026-02-02T09:00:00+08:00","accepted_at":"2026-02-02T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-02-02T11:00:00+08:00","due_at":"2026-02-20T23:59:59+08:00","closed_at":"2026-02-18T10:00:00+08:00"}
{"case_no":"B","channel":"visit","status":"closed","received_at":"2026-01-05T09:00:00+08:00","accepted_at":"2026-01-05T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-01-05T11:00:00+08:00","due_at":"2026-02-10T23:59:59+08:00","closed_at":"2026-02-25T10:00:00+08:00"}
{"case_no":"C","channel":"visit","status":"assigned","received_at":"2026-01-10T09:00:00+08:00","accepted_at":"2026-01-10T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-01-10T11:00:00+08:00","due_at":"2026-02-15T23:59:59+08:00"}
{"case_no":"D","petitioner_id":"P1","channel":"visit","status":"assigned","received_at":"2026-02-05T09:00:00+08:00","accepted_at":"2026-02-05T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-02-05T11:00:00+08:00","due_at":"2026-04-01T23:59:59+08:00"}
{"case_no":"E","channel":"visit","status":"closed","received_at":"2025-12-01T09:00:00+08:00","accepted_at":"2025-12-01T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2025-12-01T11:00:00+08:00","due_at":"2026-01-20T23:59:59+08:00","closed_at":"2026-01-25T10:00:00+08:00"}
{"case_no":"G","channel":"visit","status":"assigned","received_at":"2026-01-06T09:00:00+08:00","accepted_at":"2026-01-06T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-01-06T11:00:00+08:00","due_at":"2026-02-10T23:59:59+08:00","extended_due_at":"2026-03-01T23:59:59+08:00"}
{"case_no":"H","channel":"online","status":"closed","received_at":"2026-02-03T09:00:00+08:00","accepted_at":"2026-02-03T10:00:00+08:00","assigned_unit":"rsj","assigned_at":"2026-02-03T11:00:00+08:00","closed_at":"2026-02-04T10:00:00+08:00"}
`

func TestScorecard(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, sh)
	storetest.Each(t, now, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		for kind, body := range map[string]string{importer.KindUnits: scoreUnits} {
			if _, err := importer.Reader(ctx, s, strings.NewReader(body), importer.Options{Kind: kind, Format: importer.FormatJSONL}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := importer.Reader(ctx, s, strings.NewReader(scoreCases), importer.Options{Kind: importer.KindCases, Format: importer.FormatJSONL}); err != nil {
			t.Fatal(err)
		}
		feb := time.Date(2026, 2, 14, 12, 0, 0, 0, sh)
		s.DB.Create(&models.Flag{CaseNo: "D", Label: models.FlagRepeat, RuleID: "abnormal.repeat", SetAt: feb})
		for i, n := range []struct {
			unit, level string
			at          time.Time
		}{{"zjj", "督办", feb}, {"zjj", "提醒", feb}, {"zjj", "督办", now}, {"rsj", "提醒", feb}} {
			s.DB.Create(&models.Notice{EpisodeID: uint64(i + 1), DedupKey: fmt.Sprint("n/", i), RuleID: "r", SubjectKind: "case", SubjectKey: "x",
				Level: n.level, Title: "t", UnitCode: n.unit, Status: models.NoticeOpen, RaisedAt: n.at, LastSentAt: n.at, SendCount: 1})
		}
		s.DB.Create(&models.AccountabilityRecord{Seq: 1, Kind: models.AccountRecord, DedupKey: "a/1", UnitCode: "zjj", CreatedAt: feb})
		s.DB.Create(&models.AccountabilityRecord{Seq: 2, Kind: models.AccountReview, DedupKey: "a/2", UnitCode: "zjj", RefSeq: 1, CreatedAt: feb})

		rs, err := rules.Load(rules.Defaults(), rules.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		opts := store.ScoreOptions{Calendar: rs.Calendar, HandlingDays: 60, MaxExtensionDays: 30, Now: now}
		scores, err := s.Scorecard(ctx, feb, opts)
		if err != nil {
			t.Fatal(err)
		}
		byUnit := map[string]store.UnitScore{}
		for _, sc := range scores {
			byUnit[sc.Unit] = sc
		}
		z := byUnit["zjj"]
		got := fmt.Sprintf("%s assigned %d closed %d ontime %d overdue %d repeat %d notices %d %v accountability %d",
			z.Month, z.Assigned, z.Closed, z.ClosedOnTime, z.Overdue, z.Repeat, z.Notices, z.NoticesByLevel, z.Accountability)
		want := "2026-02 assigned 2 closed 2 ontime 1 overdue 2 repeat 1 notices 2 map[提醒:1 督办:1] accountability 1"
		if got != want {
			t.Errorf("zjj in February:\n got %s\nwant %s", got, want)
		}
		if z.OnTimeRate == nil || *z.OnTimeRate != 0.5 || z.RepeatRate == nil || *z.RepeatRate != 0.5 {
			t.Errorf("zjj rates: on time %v, repeat %v", z.OnTimeRate, z.RepeatRate)
		}
		// A case closed without a deadline set counts as on time (60 days from acceptance).
		if r := byUnit["rsj"]; r.Closed != 1 || r.ClosedOnTime != 1 || r.Notices != 1 {
			t.Errorf("rsj in February: %+v", r)
		}
		for metric, want := range map[string]string{store.MetricOverdue: "B C", store.MetricLate: "B", store.MetricOnTime: "A",
			store.MetricAssigned: "A D", store.MetricRepeat: "D", store.MetricClosed: "A B"} {
			nos, err := s.ScorecardCases(ctx, feb, "zjj", metric, opts)
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(nos)
			if strings.Join(nos, " ") != want {
				t.Errorf("zjj February %s: %v, want %s", metric, nos, want)
			}
		}
		// March so far: C is still overdue; G's approved extension ran out on 1 March.
		nos, _ := s.ScorecardCases(ctx, now, "zjj", store.MetricOverdue, opts)
		sort.Strings(nos)
		if strings.Join(nos, " ") != "C G" {
			t.Errorf("zjj March overdue: %v, want C G", nos)
		}
		opts.Units = []string{"rsj"}
		scores, _ = s.Scorecard(ctx, feb, opts)
		if len(scores) != 1 || scores[0].Unit != "rsj" {
			t.Errorf("limited to rsj: %+v", scores)
		}
	})
}

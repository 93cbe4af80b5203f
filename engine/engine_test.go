package engine_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"duban/clock"
	"duban/engine"
	"duban/importer"
	"duban/models"
	"duban/rules"
	"duban/store"
	"duban/store/storetest"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func defaults(t *testing.T) *rules.RuleSet {
	t.Helper()
	rs, err := rules.Load(rules.Defaults(), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func importJSONL(t *testing.T, s *store.Store, kind, body string) {
	t.Helper()
	_, err := importer.Reader(context.Background(), s, strings.NewReader(body), importer.Options{Kind: kind, Format: importer.FormatJSONL})
	if err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
}

const units = `{"code":"zjj","name":"县住建局"}
{"code":"rsj","name":"县人社局"}
`

// A small county on 2026-03-10 (a Tuesday): one case for each situation the
// regulations care about.
const cases = `{"case_no":"C-OVERDUE","channel":"visit","status":"assigned","received_at":"2026-01-05T09:00:00+08:00","accepted_at":"2026-01-05T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-01-05T11:00:00+08:00","due_at":"2026-03-06T23:59:59+08:00"}
{"case_no":"C-LONGOVERDUE","channel":"letter","status":"assigned","received_at":"2025-12-01T09:00:00+08:00","accepted_at":"2025-12-01T10:00:00+08:00","assigned_unit":"rsj","assigned_at":"2025-12-01T11:00:00+08:00","due_at":"2026-01-30T23:59:59+08:00"}
{"case_no":"C-NEARDUE","channel":"online","status":"assigned","received_at":"2026-01-12T09:00:00+08:00","accepted_at":"2026-01-12T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-01-12T11:00:00+08:00","due_at":"2026-03-13T23:59:59+08:00"}
{"case_no":"C-ONTIME","channel":"online","status":"assigned","received_at":"2026-02-20T09:00:00+08:00","accepted_at":"2026-02-20T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-02-20T11:00:00+08:00","due_at":"2026-04-20T23:59:59+08:00"}
{"case_no":"C-HANDOFF","channel":"leader_reception","reception_leader":"王建国","status":"received","received_at":"2026-03-05T09:30:00+08:00"}
{"case_no":"C-UNACCEPTED","channel":"letter","status":"received","received_at":"2026-02-10T09:30:00+08:00"}
{"case_no":"C-GROUP","petitioner_id":"P9","channel":"visit","status":"assigned","received_at":"2026-03-09T09:30:00+08:00","accepted_at":"2026-03-09T10:00:00+08:00","assigned_unit":"rsj","assigned_at":"2026-03-09T11:00:00+08:00","due_at":"2026-05-08T23:59:59+08:00","group_size":12,"escalated":true}
`

type key struct{ kind, action, rule, subject string }

func collect(t *testing.T, e *engine.Engine, rs *rules.RuleSet, now time.Time) []key {
	t.Helper()
	var mu sync.Mutex
	var got []key
	rep, err := e.Tick(context.Background(), rs, now, engine.TickOptions{OnOutcome: func(o engine.Outcome) {
		mu.Lock()
		defer mu.Unlock()
		subject := o.Subject
		if o.CaseNo != "" {
			subject = o.CaseNo
		}
		got = append(got, key{o.Kind, o.Action, o.Rule, subject})
	}})
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Errors(); n > 0 {
		t.Fatalf("tick had %d rule errors: %+v", n, rep.Runs)
	}
	sort.Slice(got, func(i, j int) bool { return fmt.Sprint(got[i]) < fmt.Sprint(got[j]) })
	return got
}

func sameKeys(t *testing.T, label string, got, want []key) {
	t.Helper()
	sort.Slice(want, func(i, j int) bool { return fmt.Sprint(want[i]) < fmt.Sprint(want[j]) })
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got  %v\n want %v", label, got, want)
	}
}

func TestTickRaisesOnceRepeatsDailyAndResolves(t *testing.T) {
	storetest.Each(t, at("2026-03-10 08:00"), func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		importJSONL(t, s, importer.KindUnits, units)
		importJSONL(t, s, importer.KindCases, cases)
		rs := defaults(t)
		e := engine.New(s, nil)

		day1 := at("2026-03-10 08:00")
		sameKeys(t, "first tick", collect(t, e, rs, day1), []key{
			{"notice", "raised", "deadline.breach", "C-OVERDUE"},
			{"notice", "raised", "deadline.breach", "C-LONGOVERDUE"},
			{"accountability", "raised", "deadline.accountability", "C-LONGOVERDUE"},
			{"notice", "raised", "deadline.warning", "C-NEARDUE"},
			{"notice", "raised", "handoff.next_day", "C-HANDOFF"},
			{"notice", "raised", "acceptance.overdue", "C-UNACCEPTED"},
			{"flag", "raised", "abnormal.group", "C-GROUP"},
			{"flag", "raised", "abnormal.escalated", "C-GROUP"},
		})
		sameKeys(t, "second tick at the same time", collect(t, e, rs, day1), nil)

		// The next day the overdue case is closed; the others are re-sent, and
		// the leader-reception case (received Thursday) is now more than three
		// working days without a handoff.
		clk.Set(at("2026-03-11 07:00"))
		importJSONL(t, s, importer.KindCases, `{"case_no":"C-OVERDUE","channel":"visit","status":"closed","received_at":"2026-01-05T09:00:00+08:00","accepted_at":"2026-01-05T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-01-05T11:00:00+08:00","due_at":"2026-03-06T23:59:59+08:00","closed_at":"2026-03-10T17:00:00+08:00"}`)
		day2 := at("2026-03-11 08:00")
		sameKeys(t, "a day later", collect(t, e, rs, day2), []key{
			{"notice", "resolved", "deadline.breach", "C-OVERDUE"},
			{"notice", "reraised", "deadline.breach", "C-LONGOVERDUE"},
			{"notice", "reraised", "handoff.next_day", "C-HANDOFF"},
			{"accountability", "raised", "handoff.accountability", "C-HANDOFF"},
			{"notice", "reraised", "acceptance.overdue", "C-UNACCEPTED"},
		})

		var n models.Notice
		if err := s.DB.Where("rule_id = ? AND subject_key = ?", "deadline.breach", "C-LONGOVERDUE").Take(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n.SendCount != 2 || !strings.Contains(n.Title, "已超期 40 天") || n.Status != models.NoticeOpen {
			t.Errorf("re-raised notice: send_count %d, title %q, status %s", n.SendCount, n.Title, n.Status)
		}
		if n.UnitCode != "rsj" || n.Recipients != `["rsj","督查组"]` {
			t.Errorf("recipients: unit %q, %s", n.UnitCode, n.Recipients)
		}
		if !strings.Contains(n.Evidence, `"expr":"Now \u003e due"`) && !strings.Contains(n.Evidence, `"expr":"Now > due"`) {
			t.Errorf("evidence does not show the condition's parts: %s", n.Evidence)
		}
		var outbox int64
		s.DB.Model(&models.Outbox{}).Where("notice_id = ?", n.ID).Count(&outbox)
		if outbox != 2 {
			t.Errorf("outbox holds %d sendings of the re-raised notice, want 2", outbox)
		}

		// Overdue again after being reopened: a new episode, a new notice.
		clk.Set(at("2026-03-12 07:00"))
		if _, err := importer.Reader(context.Background(), s, strings.NewReader(`{"case_no":"C-OVERDUE","channel":"visit","status":"assigned","received_at":"2026-01-05T09:00:00+08:00","accepted_at":"2026-01-05T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-01-05T11:00:00+08:00","due_at":"2026-03-06T23:59:59+08:00"}`),
			importer.Options{Kind: importer.KindCases, Format: importer.FormatJSONL, AllowReopen: true}); err != nil {
			t.Fatalf("reopening: %v", err)
		}
		got := collect(t, e, rs, at("2026-03-12 08:00"))
		found := false
		for _, k := range got {
			if k == (key{"notice", "raised", "deadline.breach", "C-OVERDUE"}) {
				found = true
			}
		}
		if !found {
			t.Errorf("reopened overdue case raised no new notice: %v", got)
		}
		var eps []models.Episode
		s.DB.Where("rule_id = ? AND subject_key = ?", "deadline.breach", "C-OVERDUE").Order("seq").Find(&eps)
		if len(eps) != 2 || eps[0].ResolvedAt == nil || eps[1].Seq != 2 || eps[1].ResolvedAt != nil {
			t.Errorf("episodes of the reopened case: %+v", eps)
		}
	})
}

func TestConcurrentTicksRaiseEachOutcomeOnce(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.NewDSN(t)
			ctx := context.Background()
			const replicas = 4
			var stores []*store.Store
			for range replicas {
				s, err := store.Open(ctx, dsn, store.Options{Clock: clock.NewFixed(at("2026-03-10 08:00"))})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				stores = append(stores, s)
			}
			importJSONL(t, stores[0], importer.KindUnits, units)
			importJSONL(t, stores[0], importer.KindCases, cases)
			rs := defaults(t)
			var mu sync.Mutex
			raised := map[string]int{}
			var wg sync.WaitGroup
			for round, now := range []time.Time{at("2026-03-10 08:00"), at("2026-03-11 08:00")} {
				for i := range replicas {
					wg.Add(1)
					go func(s *store.Store) {
						defer wg.Done()
						e := engine.New(s, nil)
						e.PageSize = 2 // many small transactions interleave
						rep, err := e.Tick(ctx, rs, now, engine.TickOptions{OnOutcome: func(o engine.Outcome) {
							mu.Lock()
							raised[fmt.Sprint(round, o.Kind, o.Action, o.Rule, o.Subject, o.CaseNo)]++
							mu.Unlock()
						}})
						if err != nil {
							t.Error(err)
							return
						}
						for _, r := range rep.Runs {
							if r.Errors > 0 {
								t.Errorf("replica %d: rule %s: %s", i, r.RuleID, r.FirstError)
							}
						}
					}(stores[i])
				}
				wg.Wait()
			}
			for k, n := range raised {
				if n != 1 {
					t.Errorf("%s reported %d times by the replicas together, want once", k, n)
				}
			}
			s := stores[0]
			count := func(m any) int64 {
				var n int64
				s.DB.Model(m).Count(&n)
				return n
			}
			if n := count(&models.Notice{}); n != 5 {
				t.Errorf("%d notices, want 5", n)
			}
			if n := count(&models.AccountabilityRecord{}); n != 2 {
				t.Errorf("%d accountability records, want 2", n)
			}
			if n := count(&models.Flag{}); n != 2 {
				t.Errorf("%d flags, want 2", n)
			}
			// 5 first sendings, then 4 re-sent the next day (the near-due warning does not repeat).
			if n := count(&models.Outbox{}); n != 9 {
				t.Errorf("%d outbox messages, want 9", n)
			}
			rep, err := s.VerifyChain(ctx)
			if err != nil || !rep.OK {
				t.Errorf("chain after concurrent appends: %+v %v", rep, err)
			}
		})
	}
}

func TestOneRuleErrorDoesNotStopTheOthers(t *testing.T) {
	files := fstest.MapFS{"r.yaml": {Data: []byte(`
rules:
  - id: broken.modulo
    subject: case
    when: Case.GroupSize % (Case.GroupSize - 1) == 0
    notice: {level: 提醒, to: [督查组], title: x}
  - id: fine.open
    subject: case
    when: Case.Open
    notice: {level: 提醒, to: [督查组], title: '{{ .Case.CaseNo }}'}
`)}}
	rs, err := rules.Load(files, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, at("2026-03-10 08:00"), func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		importJSONL(t, s, importer.KindUnits, units)
		importJSONL(t, s, importer.KindCases, cases)
		var got []string
		rep, err := engine.New(s, nil).Tick(context.Background(), rs, at("2026-03-10 08:00"), engine.TickOptions{
			OnOutcome: func(o engine.Outcome) { got = append(got, o.Rule+" "+o.CaseNo) }})
		if err != nil {
			t.Fatal(err)
		}
		runs := map[string]*models.RuleRun{}
		for _, r := range rep.Runs {
			runs[r.RuleID] = r
		}
		// Six cases of group size 1 divide by zero; the group of 12 evaluates.
		if b := runs["broken.modulo"]; b.Errors != 6 || !strings.Contains(b.FirstError, "divide by zero") || b.Subjects != 7 {
			t.Errorf("broken rule run: %+v", b)
		}
		if f := runs["fine.open"]; f.Errors != 0 || f.Raised != 7 {
			t.Errorf("the healthy rule: %+v", f)
		}
		var saved int64
		s.DB.Model(&models.RuleRun{}).Where("rule_id = ? AND errors = 6", "broken.modulo").Count(&saved)
		if saved != 1 {
			t.Errorf("the rule run with its errors was not stored")
		}
	})
}

func TestDryRunReportsWhatHoldsAndWritesNothing(t *testing.T) {
	storetest.Each(t, at("2026-03-10 08:00"), func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		importJSONL(t, s, importer.KindUnits, units)
		importJSONL(t, s, importer.KindCases, cases)
		rs := defaults(t)
		e := engine.New(s, nil)
		dry := func() []string {
			var got []string
			_, err := e.Tick(context.Background(), rs, at("2026-03-10 08:00"), engine.TickOptions{DryRun: true,
				OnOutcome: func(o engine.Outcome) { got = append(got, o.Action+" "+o.Kind+" "+o.Rule+" "+o.CaseNo) }})
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(got)
			return got
		}
		before := dry()
		if len(before) != 8 || !strings.HasPrefix(before[0], "holds ") {
			t.Errorf("dry run: %v", before)
		}
		for _, m := range []any{&models.Notice{}, &models.Episode{}, &models.RuleRun{}, &models.AccountabilityRecord{}} {
			var n int64
			s.DB.Model(m).Count(&n)
			if n != 0 {
				t.Errorf("dry run wrote %d %T", n, m)
			}
		}
		// A real tick in between does not change what a dry run reports.
		collect(t, e, rs, at("2026-03-10 08:00"))
		if after := dry(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("dry run after a tick:\n%v\nbefore:\n%v", after, before)
		}
	})
}

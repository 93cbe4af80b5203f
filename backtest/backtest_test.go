package backtest_test

import (
	"context"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"duban/backtest"
	"duban/clock"
	"duban/importer"
	"duban/models"
	"duban/rules"
	"duban/store"
	"duban/store/storetest"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// The built-in deadline rules, and an edit of them: warn 7 days ahead
// instead of 5, breach at 催办 instead of 督办, no accountability rule.
func ruleSets(t *testing.T) (old, new *rules.RuleSet) {
	t.Helper()
	src, err := fs.ReadFile(rules.Defaults(), "deadline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	oldSrc := string(src)
	edited := strings.Replace(oldSrc, "params: {warning_days: 5}", "params: {warning_days: 7}", 1)
	edited = strings.Replace(edited, "      level: 督办\n", "      level: 催办\n", 1)
	edited = edited[:strings.Index(edited, "  - id: deadline.accountability")] + edited[strings.Index(edited, "tests:"):]
	if edited == oldSrc {
		t.Fatal("edit did not apply")
	}
	load := func(src string) *rules.RuleSet {
		rs, err := rules.Load(fstest.MapFS{"deadline.yaml": {Data: []byte(src)}}, rules.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	return load(oldSrc), load(edited)
}

const units = `{"code":"zjj","name":"住建局"}
{"code":"rsj","name":"人社局"}
`

const cases = `{"case_no":"C-OVERDUE","channel":"visit","status":"assigned","received_at":"2026-01-05T09:00:00+08:00","accepted_at":"2026-01-05T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-01-05T11:00:00+08:00","due_at":"2026-03-06T23:59:59+08:00"}
{"case_no":"C-LONG","channel":"letter","status":"assigned","received_at":"2025-12-01T09:00:00+08:00","accepted_at":"2025-12-01T10:00:00+08:00","assigned_unit":"rsj","assigned_at":"2025-12-01T11:00:00+08:00","due_at":"2026-01-30T23:59:59+08:00"}
{"case_no":"C-WEEK","channel":"online","status":"assigned","received_at":"2026-01-12T09:00:00+08:00","accepted_at":"2026-01-12T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-01-12T11:00:00+08:00","due_at":"2026-03-16T23:59:59+08:00"}
{"case_no":"C-ONTIME","channel":"online","status":"assigned","received_at":"2026-02-20T09:00:00+08:00","accepted_at":"2026-02-20T10:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-02-20T11:00:00+08:00","due_at":"2026-04-20T23:59:59+08:00"}
`

func TestBacktestListsWhatAppearsDisappearsAndChanges(t *testing.T) {
	old, new := ruleSets(t)
	storetest.Each(t, day("2026-03-01 00:00"), func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		for _, in := range [][2]string{{importer.KindUnits, units}, {importer.KindCases, cases}} {
			if _, err := importer.Reader(ctx, s, strings.NewReader(in[1]), importer.Options{Kind: in[0], Format: importer.FormatJSONL}); err != nil {
				t.Fatal(err)
			}
		}
		before := tableCounts(t, s)
		instants, err := backtest.Days(day("2026-03-09 00:00"), day("2026-03-11 00:00"), 8, 0, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := backtest.Run(ctx, s, old, new, backtest.Options{Instants: instants})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range rep.Changes {
			got = append(got, strings.Join([]string{c.Change, c.Rule, c.Kind, c.Subject, c.Unit(), strings.Join(c.Fields, ","),
				c.First.In(shanghai).Format("01-02"), c.Last.In(shanghai).Format("01-02"), itoa(c.Instants)}, " "))
		}
		want := []string{
			"disappears deadline.accountability accountability C-LONG rsj  03-09 03-11 3",
			"changes deadline.breach notice C-LONG rsj level 03-09 03-11 3",
			"changes deadline.breach notice C-OVERDUE zjj level 03-09 03-11 3",
			// due 03-16: 7 days ahead on 03-09, 6 on 03-10; from 03-11 the old rule warns too
			"appears deadline.warning notice C-WEEK zjj  03-09 03-10 2",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("changes:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, c := range rep.Changes {
			if c.Change == backtest.Changes && c.Describe() != `level "督办" → "催办"` {
				t.Errorf("%s: %s", c.Subject, c.Describe())
			}
		}
		if r := rep.ByRule["deadline.breach"]; r == nil || r.Changes != 2 {
			t.Errorf("by rule: %+v", rep.ByRule)
		}
		if u := rep.ByUnit["zjj"]; u == nil || *u != (backtest.Counts{Appears: 1, Changes: 1}) {
			t.Errorf("by unit zjj: %+v", u)
		}
		if strings.Join(rep.OnlyOld, ",") != "deadline.accountability" || len(rep.Unchanged) != 0 {
			t.Errorf("only old %v, unchanged %v", rep.OnlyOld, rep.Unchanged)
		}
		if after := tableCounts(t, s); after != before {
			t.Errorf("the backtest wrote: %v, was %v", after, before)
		}
	})
}

func TestIdenticalRulesAreNotEvaluated(t *testing.T) {
	old, _ := ruleSets(t)
	storetest.Each(t, day("2026-03-01 00:00"), func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		rep, err := backtest.Run(context.Background(), s, old, old, backtest.Options{Instants: []time.Time{day("2026-03-10 08:00")}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Evaluated) != 0 || len(rep.Unchanged) != 3 || len(rep.Changes) != 0 {
			t.Errorf("evaluated %v, unchanged %v, changes %d", rep.Evaluated, rep.Unchanged, len(rep.Changes))
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

type counts struct{ notices, flags, accountability, episodes, runs int64 }

func tableCounts(t *testing.T, s *store.Store) counts {
	t.Helper()
	var c counts
	for _, p := range []struct {
		m any
		n *int64
	}{{&models.Notice{}, &c.notices}, {&models.Flag{}, &c.flags}, {&models.AccountabilityRecord{}, &c.accountability},
		{&models.Episode{}, &c.episodes}, {&models.RuleRun{}, &c.runs}} {
		if err := s.DB.Model(p.m).Count(p.n).Error; err != nil {
			t.Fatal(err)
		}
	}
	return c
}

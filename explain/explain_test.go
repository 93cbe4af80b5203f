package explain_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"duban/clock"
	"duban/explain"
	"duban/importer"
	"duban/rules"
	"duban/store"
	"duban/store/storetest"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

const cases = `{"case_no":"C1","petitioner_id":"P1","petitioner_name":"张三","channel":"visit","category":"征地拆迁","status":"closed","received_at":"2026-01-05T10:00:00+08:00","closed_at":"2026-01-30T10:00:00+08:00"}
{"case_no":"C2","petitioner_id":"P1","petitioner_name":"张三","channel":"visit","category":"征地拆迁","status":"closed","received_at":"2026-02-10T10:00:00+08:00","closed_at":"2026-03-01T10:00:00+08:00"}
{"case_no":"C3","petitioner_id":"P1","petitioner_name":"张三","channel":"visit","category":"征地拆迁","status":"assigned","received_at":"2026-03-01T10:00:00+08:00","accepted_at":"2026-03-01T11:00:00+08:00","assigned_unit":"zjj","assigned_at":"2026-03-01T15:00:00+08:00","due_at":"2026-03-06T23:59:59+08:00"}
`

func TestExplainLoadsEachKindOfSubject(t *testing.T) {
	rs, err := rules.Load(rules.Defaults(), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 10, 8, 0, 0, 0, shanghai)
	storetest.Each(t, now, func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		for _, in := range [][2]string{{importer.KindUnits, `{"code":"zjj","name":"住建局"}`}, {importer.KindCases, cases},
			{importer.KindSlots, `{"date":"2026-03-12","leader":"王建国","leader_available":false}`}} {
			if _, err := importer.Reader(ctx, s, strings.NewReader(in[1]), importer.Options{Kind: in[0], Format: importer.FormatJSONL, Location: shanghai}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			rule, subject string
			verdict       string
			would         string
			note          string
		}{
			{"deadline.breach", "C3", "holds", "notice 督办 to zjj, 督查组: C3 已超期 4 天 (repeated every 24h while it holds)", ""},
			{"deadline.breach", "C1", "does not hold: Case.Open, !due.IsZero() false", "", ""},
			{"abnormal.repeat", "P1", "holds", "flag 重复访 on C2, C3", ""},
			{"abnormal.repeat", "C2", "holds", "flag 重复访 on C2, C3", "case C2 is petitioner P1's"},
			{"roster.gap", "2026-03-12/王建国", "holds", "notice 督办 to 信访局, 督查组: 2026-03-12 王建国 接访日无人替班 (repeated every 24h while it holds)", ""},
		} {
			res, err := explain.Subject(ctx, s, rs, tc.rule, tc.subject, now)
			if err != nil {
				t.Errorf("%s %s: %v", tc.rule, tc.subject, err)
				continue
			}
			if v := res.Evidence.Verdict(); v != tc.verdict {
				t.Errorf("%s %s: verdict %q, want %q", tc.rule, tc.subject, v, tc.verdict)
			}
			if w := strings.Join(explain.WouldRaise(res.Raised), "\n"); tc.would != "" && !strings.Contains(w, tc.would) || tc.would == "" && w != "" {
				t.Errorf("%s %s: would raise %q, want %q", tc.rule, tc.subject, w, tc.would)
			}
			if res.Note != tc.note {
				t.Errorf("%s %s: note %q", tc.rule, tc.subject, res.Note)
			}
		}
		if _, err := explain.Subject(ctx, s, rs, "deadline.breach", "NOPE", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown case: %v", err)
		}
		if _, err := explain.Subject(ctx, s, rs, "abnormal.repeat", "P1", now.AddDate(1, 0, 0)); err == nil || !strings.Contains(err.Error(), "no case received since") {
			t.Errorf("petitioner outside the window: %v", err)
		}
		if _, err := explain.Subject(ctx, s, rs, "deadline.breech", "C3", now); err == nil || !strings.Contains(err.Error(), `no rule "deadline.breech"`) {
			t.Errorf("unknown rule: %v", err)
		}
	})
}

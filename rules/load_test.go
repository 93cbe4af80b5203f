package rules

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestDefaultsLoad(t *testing.T) {
	rs, err := Load(Defaults(), Options{})
	if err != nil {
		t.Fatalf("default rules do not load:\n%v", err)
	}
	want := []string{"abnormal.escalated", "abnormal.group", "abnormal.repeat", "acceptance.overdue",
		"deadline.accountability", "deadline.breach", "deadline.warning", "handoff.accountability",
		"handoff.next_day", "return_visit.missing", "roster.gap"}
	if len(rs.Rules) != len(want) {
		t.Fatalf("loaded %d rules, want %d", len(rs.Rules), len(want))
	}
	for i, r := range rs.Rules {
		if r.ID != want[i] {
			t.Errorf("rule %d = %s, want %s", i, r.ID, want[i])
		}
		t.Logf("%s scope=%v explain=%d", r.ID, r.Scope, len(r.explain.subs))
	}
}

// TestAdmitsAgreesWithTheCondition: whenever a rule's condition holds, its
// native scope check must admit the subject (the check may only skip
// subjects the condition would reject).
func TestAdmitsAgreesWithTheCondition(t *testing.T) {
	rs, err := Load(Defaults(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	var subjects []*Case
	for _, status := range []string{"received", "accepted", "assigned", "closed", "rejected"} {
		for _, channel := range []string{"visit", "leader_reception"} {
			for _, group := range []int{1, 5} {
				for _, set := range []bool{false, true} {
					c := &Case{Status: status, Channel: channel, GroupSize: group, Escalated: set,
						ReceivedAt: now.AddDate(0, -3, 0)}
					if set {
						c.AcceptedAt, c.AssignedAt, c.DueAt = now.AddDate(0, -3, 1), now.AddDate(0, -3, 1), now.AddDate(0, 0, -20)
						c.AssignedUnit, c.ClosedAt = "zjj", now.AddDate(0, 0, -30)
					}
					c.Fill()
					subjects = append(subjects, c)
				}
			}
		}
	}
	var ev Evaluator
	checked := 0
	for _, r := range rs.Rules {
		if r.Subject != SubjectCase {
			continue
		}
		for _, c := range subjects {
			env := &CaseEnv{Now: now, Case: c, Params: r.Params}
			holds, err := ev.Holds(r, env)
			if err != nil {
				t.Fatal(err)
			}
			if holds && !r.Admits(env) {
				t.Errorf("rule %s holds for %+v but its scope check refuses it", r.ID, c)
			}
			if !r.Admits(env) {
				checked++
			}
		}
	}
	if checked == 0 {
		t.Error("no subject was ever refused: the scope checks are not working")
	}
}

func TestTimeUseOfTheDefaultRules(t *testing.T) {
	rs, err := Load(Defaults(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"abnormal.escalated": "static", "abnormal.group": "static", "abnormal.repeat": "static",
		"acceptance.overdue": "1 breakpoints", "deadline.breach": "1 breakpoints",
		"deadline.warning": "by day, 1 breakpoints", "deadline.accountability": "by day",
		"handoff.next_day": "1 breakpoints", "handoff.accountability": "by day",
		"return_visit.missing": "1 breakpoints", "roster.gap": "by day",
	}
	for _, r := range rs.Rules {
		got := "static"
		var parts []string
		if r.Time.Opaque {
			parts = append(parts, "opaque")
		}
		if r.Time.ByDay {
			parts = append(parts, "by day")
		}
		if n := len(r.Time.breakpoints); n > 0 {
			parts = append(parts, fmt.Sprintf("%d breakpoints", n))
		}
		if len(parts) > 0 {
			got = strings.Join(parts, ", ")
		}
		if got != want[r.ID] {
			t.Errorf("%s: time use %q, want %q", r.ID, got, want[r.ID])
		}
	}
	for _, when := range []string{"Now - Case.ReceivedAt > duration('72h')", "Now.Hour() > 8", "let t = Now; t > Case.DueAt"} {
		files := fstest.MapFS{"r.yaml": {Data: []byte("rules:\n  - id: r\n    subject: case\n    when: \"" + when + "\"\n    flag: {label: x}\n")}}
		rs, err := Load(files, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !rs.Rules[0].Time.Opaque {
			t.Errorf("%s: not opaque", when)
		}
	}
}

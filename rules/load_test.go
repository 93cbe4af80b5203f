package rules

import (
	"testing"
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

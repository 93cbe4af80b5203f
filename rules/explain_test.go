package rules

import (
	"strings"
	"testing"
	"time"
)

func shanghai(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestExplainShowsEveryPartOfTheCondition(t *testing.T) {
	rs, err := Load(Defaults(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rs.Rule("deadline.breach")
	if r.explain.all == nil {
		t.Fatal("the parts are not compiled into one program")
	}
	c := &Case{CaseNo: "C1", Status: "assigned", AssignedUnit: "zjj",
		AcceptedAt: shanghai(t, "2026-02-03T09:00:00+08:00"), AssignedAt: shanghai(t, "2026-02-03T10:00:00+08:00"),
		DueAt: shanghai(t, "2026-03-09T23:59:59+08:00")}
	c.Fill()
	env := &CaseEnv{Case: c, Params: r.Params}
	for _, tc := range []struct {
		now     string
		verdict string
		want    []string
	}{
		{"2026-03-10T08:00:00+08:00", "holds", []string{
			"due = 2026-03-09T23:59:59+08:00",
			"✓ Case.Open = true",
			"✓ !due.IsZero() = true",
			"Now = 2026-03-10T08:00:00+08:00",
			"✓ Now > due = true",
		}},
		{"2026-03-09T20:00:00+08:00", "does not hold: Now > due false", []string{
			"✗ Now > due = false",
			"handling_days = 60",
		}},
	} {
		now := shanghai(t, tc.now)
		env.Now = now
		ev := rs.At(now).Explain(&Evaluator{}, r, env, "C1")
		text := ev.Text()
		// spaces between an expression and its value only align the column
		flat := strings.Join(strings.Fields(text), " ")
		if ev.Verdict() != tc.verdict {
			t.Errorf("at %s: verdict %q, want %q", tc.now, ev.Verdict(), tc.verdict)
		}
		for _, w := range tc.want {
			if !strings.Contains(flat, w) {
				t.Errorf("at %s: evidence lacks %q:\n%s", tc.now, w, text)
			}
		}
		if strings.Contains(flat, "Case.Open && !due.IsZero() =") {
			t.Errorf("intermediate links of the && chain are shown:\n%s", text)
		}
	}
}

func TestExplainFallsBackPartByPartWhenOnePartFails(t *testing.T) {
	files := map[string]string{"r.yaml": `rules:
  - id: r
    subject: petitioner
    window: 30d
    when: Petitioner.CaseCount > 0 && Petitioner.Cases[3].Category == "x"
    notice: {level: 提醒, to: [督查组], title: x}
`}
	rs := mustLoad(t, files)
	r := rs.Rule("r")
	p := &Petitioner{ID: "P1", Cases: []CaseBrief{{CaseNo: "A", Category: "y"}}}
	p.Summarise()
	now := shanghai(t, "2026-03-10T08:00:00+08:00")
	ev := rs.At(now).Explain(&Evaluator{}, r, &PetitionerEnv{Now: now, Petitioner: p}, "P1")
	text := ev.Text()
	if !strings.Contains(text, "Petitioner.CaseCount > 0") || !strings.Contains(text, "= true") {
		t.Errorf("the part that evaluates is not shown:\n%s", text)
	}
	if !strings.Contains(text, "error:") {
		t.Errorf("the failing part is not shown as an error:\n%s", text)
	}
}
